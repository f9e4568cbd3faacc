namespace Entitlements.Tests.Auth;

/// <summary>
/// A JWKS-file gateway that re-reads its key set at most once an hour and allows five minutes of clock
/// skew: a key published after the first miss stays unknown for the whole test run.
/// </summary>
public sealed class TolerantAuthGatewayFixture : AuthGatewayFixture
{
    public const int RefreshIntervalSeconds = 3600;
    public const int SkewSeconds = 300;

    protected override int KeyRefreshIntervalSeconds => RefreshIntervalSeconds;

    protected override int? ClockSkewSeconds => SkewSeconds;
}
