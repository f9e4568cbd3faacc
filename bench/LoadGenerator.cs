using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Entitlements.Bench;

/// <summary>
/// One request of a load run: returns null when it succeeded, else what went wrong. The worker index
/// and the worker's iteration number let a request pick its own player, transaction id, and so on.
/// </summary>
internal delegate Task<string?> BenchRequest(int worker, long iteration);

/// <summary>
/// One request of an open-loop run: <paramref name="scheduled"/> is the <see cref="Stopwatch"/> timestamp
/// it was due to be sent at, which its latencies are measured from.
/// </summary>
internal delegate Task<string?> OpenLoopRequest(long iteration, long scheduled);

/// <summary>
/// The load generator used for every HTTP figure: a fixed number of connections, one closed-loop worker
/// per connection, a warm-up period whose requests are not counted, then a measured period: every
/// request that completes in it counts, and its latency is kept (sorted at the end, so percentiles are
/// exact).
/// </summary>
internal static class LoadGenerator
{
    /// <summary>An HTTP client that opens at most <paramref name="connections"/> connections to the server.</summary>
    public static HttpClient CreateClient(Uri baseAddress, int connections, string? bearer = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        }

        return client;
    }

    /// <summary>
    /// Run <paramref name="request"/> from <paramref name="connections"/> workers, each sending its next
    /// request when the previous one answered. <paramref name="prepare"/>, when given, runs before each
    /// request and is not timed (it is still inside the measured wall time). With <paramref name="cpuOf"/>,
    /// the result's <see cref="LoadResult.Cpu"/> is the machine's and that process's CPU over the measured
    /// period only: not the warm-up, not whatever the caller set up before.
    /// </summary>
    public static async Task<LoadResult> ClosedLoopAsync(
        string name, int connections, TimeSpan warmup, TimeSpan measure, BenchRequest request, BenchRequest? prepare = null, int? cpuOf = null)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var sampling = cpuOf is null ? null : SampleFromAsync(measureFrom, cpuOf.Value);
        var measureTo = measureFrom + (long)(measure.TotalSeconds * Stopwatch.Frequency);
        // On a slow or busy machine no request may complete in a short window: then the window stays
        // open until one does (at most a minute more), so that every run has a figure.
        var hardEnd = measureTo + (60 * Stopwatch.Frequency);
        var completedInWindow = 0L;
        var workers = Enumerable.Range(0, connections).Select(worker => Task.Run(async () =>
        {
            var latencies = new List<long>(1024);
            var lastCompletion = 0L;
            var failures = 0L;
            string? firstError = null;
            for (var iteration = 0L; Continue(); iteration++)
            {
                var error = prepare is null ? null : await Attempt(prepare, worker, iteration);
                var t0 = Stopwatch.GetTimestamp();
                error ??= await Attempt(request, worker, iteration);
                var t1 = Stopwatch.GetTimestamp();
                if (error is not null)
                {
                    failures++;
                    firstError ??= error;
                }
                else if (t1 >= measureFrom && (t1 <= measureTo || Interlocked.Read(ref completedInWindow) == 0))
                {
                    latencies.Add(t1 - t0);
                    lastCompletion = t1;
                    Interlocked.Increment(ref completedInWindow);
                }
            }

            return (latencies, failures, firstError, lastCompletion);
        })).ToList();
        var results = await Task.WhenAll(workers);
        var cpu = sampling is null ? null : (await sampling).Stop();
        var all = results.SelectMany(r => r.latencies).Select(TicksToMs).ToArray();
        Array.Sort(all);
        var windowEnd = Math.Max(measureTo, results.Max(r => r.lastCompletion));
        return new LoadResult(
            name, connections, all.Length, results.Sum(r => r.failures), (windowEnd - measureFrom) / (double)Stopwatch.Frequency, all,
            results.Select(r => r.firstError).FirstOrDefault(e => e is not null))
        { Cpu = cpu };

        bool Continue()
        {
            var now = Stopwatch.GetTimestamp();
            return now < measureTo || (Interlocked.Read(ref completedInWindow) == 0 && now < hardEnd);
        }
    }

    /// <summary>
    /// Open loop: start requests at <paramref name="rate"/> per second for <paramref name="duration"/>,
    /// whether or not earlier ones have answered (at most <paramref name="maxInFlight"/> at once; a start
    /// that finds the limit reached is counted as skipped). Latency is from the scheduled start, which each
    /// request is also given. The result says how long the sending actually took and so the rate actually
    /// offered, which falls below <paramref name="rate"/> when the generator cannot keep to the schedule.
    /// With <paramref name="cpuOf"/>, the load's <see cref="LoadResult.Cpu"/> covers the first start to the
    /// last answer.
    /// </summary>
    public static async Task<OpenLoopResult> OpenLoopAsync(string name, double rate, TimeSpan duration, int maxInFlight, OpenLoopRequest request, int? cpuOf = null)
    {
        var sampler = cpuOf is null ? null : CpuSampler.Start(cpuOf.Value);
        var start = Stopwatch.GetTimestamp();
        var total = (long)(rate * duration.TotalSeconds);
        var latencies = new ConcurrentBag<long>();
        var failures = 0L;
        var skipped = 0L;
        var lastSent = start;
        string? firstError = null;
        using var inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        var pending = new List<Task>((int)Math.Min(total, 1_000_000));
        for (var i = 0L; i < total; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > Stopwatch.Frequency / 1000)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            if (!inFlight.Wait(0))
            {
                skipped++;
                continue;
            }

            var iteration = i;
            pending.Add(Task.Run(async () =>
            {
                try
                {
                    var error = await Attempt((_, _) => request(iteration, due), 0, iteration);
                    if (error is null)
                    {
                        latencies.Add(Stopwatch.GetTimestamp() - due);
                    }
                    else
                    {
                        Interlocked.Increment(ref failures);
                        Interlocked.CompareExchange(ref firstError, error, null);
                    }
                }
                finally
                {
                    inFlight.Release();
                }
            }));
            lastSent = Stopwatch.GetTimestamp();
        }

        // The sending took from the start to the last start, plus the one interval that start stands for:
        // exactly the nominal duration when every start was on time, longer when the starts fell behind.
        var sendSeconds = ((lastSent - start) / (double)Stopwatch.Frequency) + (1 / rate);
        await Task.WhenAll(pending);
        var cpu = sampler?.Stop();
        var all = latencies.Select(TicksToMs).ToArray();
        Array.Sort(all);
        if (skipped > 0)
        {
            failures += skipped;
            firstError ??= $"{skipped} requests not sent: {maxInFlight} were already waiting for an answer";
        }

        return new OpenLoopResult(new LoadResult(name, maxInFlight, all.Length, failures, sendSeconds, all, firstError) { Cpu = cpu }, pending.Count, sendSeconds);
    }

    /// <summary>A CPU sampler of <paramref name="processId"/> started at the <see cref="Stopwatch"/> timestamp <paramref name="from"/>.</summary>
    private static async Task<CpuSampler> SampleFromAsync(long from, int processId)
    {
        var wait = from - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
        }

        return CpuSampler.Start(processId);
    }

    public static double TicksToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static async Task<string?> Attempt(BenchRequest request, int worker, long iteration)
    {
        try
        {
            return await request(worker, iteration);
        }
        catch (HttpRequestException e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
        catch (TaskCanceledException e)
        {
            return $"timeout: {e.Message}";
        }
        catch (IOException e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}

/// <summary>The outcome of an open-loop run: the load, the requests started (not skipped) and the seconds the starting took.</summary>
internal sealed record OpenLoopResult(LoadResult Load, long Sent, double SendSeconds)
{
    /// <summary>The rate actually offered: requests started per second of the time the starting took.</summary>
    public double SentRate => SendSeconds > 0 ? Sent / SendSeconds : 0;
}

/// <summary>The outcome of a load run: successful requests in the measured period and their latencies (ms, sorted).</summary>
internal sealed record LoadResult(
    string Name, int Connections, long Requests, long Failures, double Seconds, double[] SortedLatenciesMs, string? FirstError)
{
    public double RequestsPerSecond => Seconds > 0 ? Requests / Seconds : 0;

    /// <summary>The machine's and the sampled process's CPU over the measured period, when the load was asked to sample one.</summary>
    public CpuUse? Cpu { get; init; }

    public double P50 => Percentile(SortedLatenciesMs, 50);

    public double P99 => Percentile(SortedLatenciesMs, 99);

    /// <summary>The nearest-rank percentile of sorted values; NaN when there are none.</summary>
    public static double Percentile(double[] sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
