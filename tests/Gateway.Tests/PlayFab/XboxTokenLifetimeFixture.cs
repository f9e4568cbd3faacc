using Entitlements.Gateway.Xbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// The simulator and a gateway with the default <c>Auth:MaxTokenLifetime</c> (366 days) and <c>Xbox:ClockSkewSeconds</c>
/// (30 s), the simulator's token issuer and the gateway's XSTS validator on one clock (<see cref="Time"/>), which
/// stands still: a token's <c>exp</c> is exactly its lifetime ahead of the validator's time.
/// </summary>
public sealed class XboxTokenLifetimeFixture : XboxGatewayFixture
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    protected override TimeProvider? SimulatorTime => Time;

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<XstsTokenValidator>(provider, (TimeProvider)Time));
}
