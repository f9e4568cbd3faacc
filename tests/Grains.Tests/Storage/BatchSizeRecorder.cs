using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Entitlements.Diagnostics;

namespace Entitlements.Tests.Storage;

/// <summary>
/// Listens to one store's <c>entitlements.ledger.append.batch_size</c> histogram (that store's own meter
/// instance, so stores of tests running meanwhile do not count) and keeps every batch size in order.
/// </summary>
internal sealed class BatchSizeRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(int Size, string? Engine)> _batches = new();

    public BatchSizeRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == LedgerMetrics.BatchSizeInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, size, tags, _) =>
        {
            string? engine = null;
            foreach (var tag in tags)
            {
                if (tag.Key == LedgerMetrics.EngineTag)
                {
                    engine = tag.Value as string;
                }
            }

            _batches.Enqueue((size, engine));
        });
        _listener.Start();
    }

    /// <summary>The batch sizes recorded so far, in commit order.</summary>
    public IReadOnlyList<int> Sizes => [.. _batches.Select(b => b.Size)];

    /// <summary>The engine tags recorded so far, one per batch.</summary>
    public IReadOnlyList<string?> Engines => [.. _batches.Select(b => b.Engine)];

    public void Dispose() => _listener.Dispose();
}
