namespace Entitlements.Bench;

/// <summary>How long and how big each scenario is: the full run, or the seconds-long smoke run of CI.</summary>
internal sealed record Profile(bool Smoke)
{
    public TimeSpan Warmup => TimeSpan.FromSeconds(Smoke ? 1 : 3);

    public TimeSpan Measure => TimeSpan.FromSeconds(Smoke ? 2 : 10);

    /// <summary>
    /// Grants sent right after the gateway starts and not measured: the JIT compiles the hot paths
    /// (tiered compilation; slow on a busy machine) before the first figure.
    /// </summary>
    public TimeSpan SystemWarmup => TimeSpan.FromSeconds(Smoke ? 1 : 15);

    public TimeSpan SweepMeasure => TimeSpan.FromSeconds(Smoke ? 1 : 6);

    /// <summary>Connections of the main figures (c), (d), (e) and of (a).</summary>
    public int Connections { get; init; } = 64;

    /// <summary>Connection counts of the throughput and p99 plot.</summary>
    public IReadOnlyList<int> Concurrency => Smoke ? [1, 64] : [1, 4, 16, 64, 128];

    /// <summary>Distinct players the grants go to (a multiple of every connection count, so no two workers hit one player at once).</summary>
    public int Players => Smoke ? 64 : 256;

    public int PageEvents { get; init; } = 150;

    public int SmallHistory { get; init; } = 10;

    public int LargeHistory => Smoke ? 1_000 : 10_000;

    public int ActivationHistory => Smoke ? 1_000 : 100_000;

    public int ActivationPlayers => Smoke ? 1 : 3;

    /// <summary>Grants per player in figure (f).</summary>
    public int HistoryGrants => Smoke ? 20 : 100;

    public TimeSpan InsertDuration => TimeSpan.FromSeconds(Smoke ? 0.5 : 5);

    public int InsertBatch { get; init; } = 100;

    public int InsertWriters { get; init; } = 16;

    public TimeSpan PushDuration => TimeSpan.FromSeconds(Smoke ? 2 : 10);

    /// <summary>The grant rate of figure (h)'s target.</summary>
    public double PushTargetRate { get; init; } = 5_000;
}
