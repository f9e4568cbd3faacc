using Entitlements.Gateway.Auth;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Auth;

/// <summary>
/// Listens to one gateway's token validation counters from the moment it is made: signatures checked
/// (<c>entitlements.auth.signature_checks</c>) and tokens answered from the cache (<c>entitlements.auth.token_cache.hits</c>).
/// </summary>
internal sealed class AuthCounters(GatewayFixture fixture) : IDisposable
{
    private readonly GatewayCounters _counters = new(fixture, AuthMetrics.MeterName, AuthMetrics.SignatureChecksName, AuthMetrics.CacheHitsName);

    public long SignatureChecks => _counters.Sum(AuthMetrics.SignatureChecksName);

    public long CacheHits => _counters.Sum(AuthMetrics.CacheHitsName);

    public void Dispose() => _counters.Dispose();
}
