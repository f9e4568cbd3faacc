using System.Diagnostics.Metrics;

namespace Entitlements.Gateway.Auth;

/// <summary>
/// Token validation's instruments, on the meter <see cref="MeterName"/>: signatures checked, tokens answered
/// from <see cref="ValidatedTokenCache"/> instead, and the entries that cache holds. The cache's hit rate
/// is hits / (hits + signature checks).
/// </summary>
public sealed class AuthMetrics
{
    public const string MeterName = "Entitlements.Gateway.Auth";
    public const string SignatureChecksName = "entitlements.auth.signature_checks";
    public const string CacheHitsName = "entitlements.auth.token_cache.hits";
    public const string CacheEntriesName = "entitlements.auth.token_cache.entries";

    private readonly Counter<long> _signatureChecks;
    private readonly Counter<long> _cacheHits;

    public AuthMetrics(IMeterFactory meters, ValidatedTokenCache cache)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(cache);
        var meter = meters.Create(MeterName);
        _signatureChecks = meter.CreateCounter<long>(SignatureChecksName, "{signature}", "Token signatures checked, valid or not.");
        _cacheHits = meter.CreateCounter<long>(CacheHitsName, "{token}", "Tokens answered from the validated-token cache, without a signature check.");
        meter.CreateObservableGauge(CacheEntriesName, () => cache.Count, "{token}", "Tokens the validated-token cache holds.");
    }

    public void SignatureChecked() => _signatureChecks.Add(1);

    public void CacheHit() => _cacheHits.Add(1);
}
