using Entitlements.Gateway.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Entitlements.Tests.Auth;

/// <summary>
/// A JWKS-file gateway with a validated-token cache of <see cref="CacheSize"/> entries whose token validator
/// reads the time from <see cref="Time"/> (the key set keeps the system clock, so that it re-reads its
/// sources on every unknown <c>kid</c> whatever the tests do to the validator's clock).
/// </summary>
public sealed class TokenCacheGatewayFixture : AuthGatewayFixture
{
    public const int CacheSize = 8;
    public const int SkewSeconds = 30;

    /// <summary>The validator's clock, on a whole second near the real time.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public ValidatedTokenCache Cache => App.Services.GetRequiredService<ValidatedTokenCache>();

    public JwtValidator Validator => App.Services.GetRequiredService<JwtValidator>();

    protected override int? ClockSkewSeconds => SkewSeconds;

    protected override int? ValidatedTokenCacheSize => CacheSize;

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<JwtValidator>(provider, Time));
}
