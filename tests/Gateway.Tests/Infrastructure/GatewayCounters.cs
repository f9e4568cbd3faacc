using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// What one gateway's counters of one meter recorded from the moment this is made: the sum of an
/// instrument's measurements, all of them or those with one tag value. Other gateways in the same test
/// process (their own meter factories) are not counted.
/// </summary>
internal sealed class GatewayCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public GatewayCounters(GatewayFixture fixture, string meterName, params string[] instrumentNames)
    {
        var meters = fixture.App.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == meterName && instrumentNames.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements, or of those tagged <paramref name="tag"/> = <paramref name="value"/>.</summary>
    public long Sum(string instrument, string? tag = null, string? value = null) =>
        _measurements
            .Where(m => m.Instrument == instrument && (tag is null || m.Tags.Any(t => t.Key == tag && (string?)t.Value == value)))
            .Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();
}
