namespace Entitlements.Tests.Auth;

/// <summary>
/// A JWKS-file gateway that re-reads its key set at most once an hour, allows five minutes of clock
/// skew and has no validated-token cache: a key published after the first miss stays unknown for the
/// whole test run, and every token is checked in full.
/// </summary>
public sealed class TolerantAuthGatewayFixture : AuthGatewayFixture
{
    public const int RefreshIntervalSeconds = 3600;
    public const int SkewSeconds = 300;

    protected override int KeyRefreshIntervalSeconds => RefreshIntervalSeconds;

    protected override int? ClockSkewSeconds => SkewSeconds;

    protected override int? ValidatedTokenCacheSize => 0;
}
