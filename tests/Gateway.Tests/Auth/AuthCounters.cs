using System.Diagnostics.Metrics;
using Entitlements.Gateway.Auth;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Auth;

/// <summary>
/// Listens to one gateway's token validation counters from the moment it is made: signatures checked
/// (<c>entitlements.auth.signature_checks</c>) and tokens answered from the cache (<c>entitlements.auth.token_cache.hits</c>).
/// </summary>
internal sealed class AuthCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _signatureChecks;
    private long _cacheHits;

    public AuthCounters(GatewayFixture fixture)
    {
        var meters = fixture.App.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters)
                && instrument.Meter.Name == AuthMetrics.MeterName
                && instrument.Name is AuthMetrics.SignatureChecksName or AuthMetrics.CacheHitsName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == AuthMetrics.SignatureChecksName)
            {
                Interlocked.Add(ref _signatureChecks, value);
            }
            else
            {
                Interlocked.Add(ref _cacheHits, value);
            }
        });
        _listener.Start();
    }

    public long SignatureChecks => Interlocked.Read(ref _signatureChecks);

    public long CacheHits => Interlocked.Read(ref _cacheHits);

    public void Dispose() => _listener.Dispose();
}
