using System.Diagnostics.Metrics;

namespace Entitlements.Diagnostics;

/// <summary>
/// The ledger's meter, <c>Entitlements.Ledger</c>: how the store groups appends into commits. One per
/// silo through <see cref="IMeterFactory"/>; a store made outside dependency injection (a test, a
/// tool) makes its own.
/// </summary>
public sealed class LedgerMetrics : IDisposable
{
    public const string MeterName = "Entitlements.Ledger";

    /// <summary>Appends taken together into one group commit (refused ones included), recorded once per batch.</summary>
    public const string BatchSizeInstrument = "entitlements.ledger.append.batch_size";

    /// <summary>Seconds from the start of a batch's transaction to its durable commit, recorded once per batch.</summary>
    public const string DurationInstrument = "entitlements.ledger.append.duration";

    /// <summary>The tag naming the engine, with the OpenTelemetry database names (<c>sqlite</c>, <c>postgresql</c>).</summary>
    public const string EngineTag = "db.system.name";

    private readonly bool _ownsMeter;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _duration;

    public LedgerMetrics(IMeterFactory meterFactory)
        : this(CreateMeter(meterFactory), ownsMeter: false)
    {
    }

    /// <summary>Metrics on a meter of their own, disposed with them.</summary>
    internal LedgerMetrics()
        : this(new Meter(MeterName), ownsMeter: true)
    {
    }

    private LedgerMetrics(Meter meter, bool ownsMeter)
    {
        Meter = meter;
        _ownsMeter = ownsMeter;
        _batchSize = meter.CreateHistogram(
            BatchSizeInstrument,
            unit: "{append}",
            description: "Ledger appends taken together into one group commit (refused ones included).",
            tags: null,
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        _duration = meter.CreateHistogram(
            DurationInstrument,
            unit: "s",
            description: "Time to commit one batch of ledger appends, durably.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
    }

    public Meter Meter { get; }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    internal void RecordBatch(string engine, int appends, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>(EngineTag, engine);
        _batchSize.Record(appends, tag);
        _duration.Record(elapsed.TotalSeconds, tag);
    }

    private static Meter CreateMeter(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        return meterFactory.Create(MeterName);
    }
}
