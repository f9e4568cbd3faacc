using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Entitlements.Diagnostics;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// Listens to every silo's <c>entitlements.notification.relay_handovers</c> counter and keeps each
/// hand-over with the meter factory that made its meter, so that a test counts its own silo's only.
/// Started before the silo is, so that it misses none.
/// </summary>
internal sealed class RelayHandoverRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(object? Scope, long Count)> _handovers = new();

    public RelayHandoverRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GrainMetrics.MeterName && instrument.Name == GrainMetrics.RelayHandoverName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, count, _, _) => _handovers.Enqueue((instrument.Meter.Scope, count)));
        _listener.Start();
    }

    /// <summary>The hand-overs of the relays whose metrics came from <paramref name="meters"/>.</summary>
    public long Of(IMeterFactory meters) => _handovers.Where(h => ReferenceEquals(h.Scope, meters)).Sum(h => h.Count);

    public void Dispose() => _listener.Dispose();
}
