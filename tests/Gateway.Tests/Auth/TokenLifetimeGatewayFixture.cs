using Entitlements.Gateway.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Auth;

/// <summary>
/// A JWKS-file gateway with the default <c>Auth:MaxTokenLifetime</c> (366 days) and clock skew (30 s), whose
/// token validator reads the time from <see cref="Clock"/>, on a whole second near the real time.
/// </summary>
public sealed class TokenLifetimeGatewayFixture : AuthGatewayFixture
{
    public SettableClock Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<JwtValidator>(provider, (TimeProvider)Clock));
}
