using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Entitlements.Bench;

/// <summary>One database engine the gateway runs on: its settings and how the harness reaches its database directly.</summary>
internal sealed record Engine(string Name, IReadOnlyDictionary<string, string> Settings, Func<Task<DbConnection>> OpenDatabase);

/// <summary>Figures (f) and (g).</summary>
internal sealed record HistoryFigures(int SmallHistory, int LargeHistory, double SmallP50, double LargeP50, int ActivationHistory,
    double ColdWithoutSnapshotMs, double ColdMs, double WarmMs, IReadOnlyList<double> ColdSamplesMs)
{
    public double Ratio => LargeP50 / SmallP50;

    /// <summary>Cold activation: the first request for the player minus a warm request for it (the median of five).</summary>
    public double ActivationMs => ColdMs - WarmMs;
}

/// <summary>
/// Figure (h). Rate: the grant rate asked of the generator; AchievedRate: the grants it started per second
/// of the time the starting took. Grants: every grant of the run (answered, failed, or not sent); Sent: those answered 200.
/// P50/P99: grant sent to notification received, over every grant of the run, a grant whose
/// notification never arrived (its grant failed, was not sent, or its notification was lost) counting as
/// infinitely late. Answer: grant sent to its HTTP answer. Delivery: the HTTP answer to the notification
/// (negative when the notification came first). ServerAnswerP99: the upper bound of the gateway's own
/// histogram bucket that holds the p99 of the same grants.
/// </summary>
internal sealed record PushFigures(
    double Rate, bool TargetRate, double SustainedRate, long Grants, long Sent, long Received, double AchievedRate, double P50, double P99,
    double AnswerP50, double AnswerP99, double ServerAnswerP99, double DeliveryP50, double DeliveryP99, long Failures, string? FirstError)
{
    /// <summary>The machine's and the gateway's CPU from the first grant sent to the last answered.</summary>
    public CpuUse? Cpu { get; init; }

    /// <summary>Grants of the run whose notification the client never got.</summary>
    public long Lost => Grants - Received;

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Rate:F0}/s offered ({AchievedRate:F0}/s sent), {Received}/{Grants} received, p50 {Ms(P50)}, p99 {Ms(P99)} (grant answered: p50 {AnswerP50:F1}, p99 {AnswerP99:F1}, the gateway's own p99 <= {ServerAnswerP99:F0}; answer to notification: p50 {DeliveryP50:F1}, p99 {DeliveryP99:F1})");

    /// <summary>A latency in ms; "none" when the percentile falls on a notification that never arrived.</summary>
    public static string Ms(double ms) => double.IsPositiveInfinity(ms)
        ? "none (notifications lost)"
        : string.Create(CultureInfo.InvariantCulture, $"{ms:F1} ms");
}

/// <summary>Everything measured on one engine.</summary>
internal sealed record EngineFigures(
    string Engine, int GrantBodyBytes, LoadResult Grants, CpuUse GrantsCpu, IReadOnlyList<LoadResult> Sweep, LoadResult Pages, CpuUse PagesCpu,
    int PageGzipBytes, LoadResult PagesJson, CpuUse PagesJsonCpu, LoadResult NewestPages, CpuUse NewestPagesCpu, LoadResult Xbox, CpuUse XboxCpu, PushFigures Push, CpuUse PushCpu, HistoryFigures History,
    IReadOnlyList<LoadResult> Warmup);

/// <summary>Figures (c) to (h) on one engine, against the gateway process and the simulator process.</summary>
internal sealed class EngineBench(BuildOutput build, Profile profile, Engine engine, SimulatorProcess simulator, string dataDirectory, TextWriter log)
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private int _pageGzipBytes;

    private IReadOnlyDictionary<string, string> Settings =>
        engine.Settings.Concat(simulator.GatewaySettings).ToDictionary(p => p.Key, p => p.Value);

    public async Task<EngineFigures> RunAsync()
    {
        var (gateway, players, warmup) = await StartWarmAsync();
        try
        {
            var bodyBytes = await GrantBodyBytesAsync(gateway, players[0]);

            Log($"(c) grants, {profile.Connections} connections");
            var grants = await GrantLoadAsync(gateway, players, profile.Connections, profile.Measure, "c");
            var grantsCpu = MeasuredCpu(grants);
            Log($"    {Describe(grants)}; {grantsCpu}");

            var sweep = new List<LoadResult>();
            foreach (var connections in profile.Concurrency)
            {
                var point = await GrantLoadAsync(gateway, players, connections, profile.SweepMeasure, $"sweep{connections}");
                Log($"    sweep {connections,3} connections: {Describe(point)}");
                sweep.Add(point);
            }

            Log("(d) event pages of 100: a full page (it cannot change, so the gateway keeps its bytes), gzip");
            var pages = await PagesAsync(gateway, profile.Measure, newest: false, gzip: true);
            var pagesCpu = MeasuredCpu(pages);
            Log($"    {Describe(pages)}; {pagesCpu}");

            Log("(d) event pages of 100: the same full page as JSON (no Accept-Encoding)");
            var pagesJson = await PagesAsync(gateway, profile.Measure, newest: false, gzip: false);
            var pagesJsonCpu = MeasuredCpu(pagesJson);
            Log($"    {Describe(pagesJson)}; {pagesJsonCpu}");

            Log("(d) event pages of 100: the newest page (read from the database every time), as JSON");
            var newestPages = await PagesAsync(gateway, profile.Measure, newest: true, gzip: false);
            var newestPagesCpu = MeasuredCpu(newestPages);
            Log($"    {Describe(newestPages)}; {newestPagesCpu}");

            Log("(e) ConsumeXboxEntitlements");
            var xbox = await XboxAsync(gateway);
            var xboxCpu = MeasuredCpu(xbox);
            Log($"    {Describe(xbox)}; {xboxCpu}");

            Log("(h) grant to WebSocket notification");
            // The sustained grant rate: the lower of (c) and the sweep's point at the same connections,
            // measured later on a larger ledger (a rate above what the system sustains only measures a queue).
            var sustained = sweep.Where(s => s.Connections == profile.Connections).Select(s => s.RequestsPerSecond).Append(grants.RequestsPerSecond).Min();
            var push = await PushAsync(gateway, players, sustained);
            var pushCpu = push.Cpu ?? throw new InvalidOperationException("the push load sampled no CPU");
            Log($"    {push.Describe()}; {pushCpu}");

            var history = await HistoryAsync(gateway);
            gateway = null;
            return new EngineFigures(engine.Name, bodyBytes, grants, grantsCpu, sweep, pages, pagesCpu, _pageGzipBytes, pagesJson, pagesJsonCpu, newestPages, newestPagesCpu, xbox, xboxCpu, push, pushCpu, history, warmup);
        }
        finally
        {
            gateway?.Dispose();
        }
    }

    /// <summary>
    /// One load for <paramref name="measure"/> after the usual warm-up (see <see cref="Probe"/>);
    /// <paramref name="during"/> runs beside the measured period with the gateway's process id.
    /// </summary>
    public async Task<LoadResult> ProbeAsync(string scenario, TimeSpan measure, Func<int, TimeSpan, Task>? during)
    {
        var (started, players, warmup) = await StartWarmAsync();
        using var gateway = started;
        foreach (var warm in warmup.Where(w => w.Failures > 0))
        {
            Log($"    warm-up {warm.Name}: {warm.Failures} requests failed, first: {warm.FirstError}");
        }

        Log($"{scenario}, {profile.Connections} connections, {measure.TotalSeconds:F0} s");
        var beside = during is null ? Task.CompletedTask : Task.Run(async () =>
        {
            await Task.Delay(profile.Warmup);
            await during(gateway.ProcessId, measure);
        });
        LoadResult result;
        switch (scenario)
        {
            case "grants":
                result = await GrantLoadAsync(gateway, players, profile.Connections, measure, "c");
                break;
            case "pages":
                result = await PagesAsync(gateway, measure, newest: false, gzip: true);
                break;
            case "pages-json":
                result = await PagesAsync(gateway, measure, newest: false, gzip: false);
                break;
            case "newest-pages":
                result = await PagesAsync(gateway, measure, newest: true, gzip: true);
                break;
            case "newest-pages-json":
                result = await PagesAsync(gateway, measure, newest: true, gzip: false);
                break;
            case "push":
                var push = await PushAsync(gateway, players, await ClosedLoopRateAsync(gateway, players));
                Log("    " + push.Describe());
                result = new LoadResult("push", profile.Connections, push.Received, push.Failures, profile.PushDuration.TotalSeconds, [], push.FirstError) { Cpu = push.Cpu };
                break;
            default:
                throw new ArgumentException($"unknown probe {scenario}: {string.Join(", ", Probe.Scenarios)}");
        }

        Log($"    {Describe(result)}; {MeasuredCpu(result)}");
        await beside;
        if (await GatewayHost.GetTextAsync(gateway.Client, "/metrics") is { } metrics)
        {
            // The system's own meters (ledger batches, grain timings), when the probe runs with Telemetry__PrometheusAnonymous=true.
            // The .NET runtime's GC meters too: how often the gateway collected, and how long it was paused.
            foreach (var line in metrics.Split('\n').Where(l =>
                (l.StartsWith("entitlements_", StringComparison.Ordinal) && (l.Contains("_sum", StringComparison.Ordinal) || l.Contains("_count", StringComparison.Ordinal)))
                || l.StartsWith("dotnet_gc_collections", StringComparison.Ordinal) || l.StartsWith("dotnet_gc_pause_time", StringComparison.Ordinal)))
            {
                Log("    " + line);
            }
        }

        return result;
    }

    /// <summary>
    /// The gateway started, the players linked, and the JIT warmed on grants and pages, unmeasured: grants
    /// on 16 connections for the generator's warm-up plus <see cref="Profile.SystemWarmup"/>, then pages
    /// for the warm-up plus a third of it. Their figures are not reported, their failures are (a failed
    /// request fails the smoke run).
    /// </summary>
    private async Task<(GatewayHost Gateway, List<string> Players, IReadOnlyList<LoadResult> Warmup)> StartWarmAsync()
    {
        Directory.CreateDirectory(dataDirectory);
        var gateway = await GatewayHost.StartAsync(build, dataDirectory, Settings);
        try
        {
            Log("gateway started; linking players");
            var players = await LinkPlayersAsync(gateway, profile.Players, "p");
            Log($"warming up for {(profile.Warmup + profile.SystemWarmup + profile.Warmup + (profile.SystemWarmup / 3)).TotalSeconds:F0} s");
            var grants = await GrantLoadAsync(gateway, players, 16, profile.SystemWarmup, "warm");
            var pages = await PageLoadAsync(gateway, profile.SystemWarmup / 3, PagePath(await gateway.LinkPlayerAsync(players[0]), 100), gzip: true);
            return (gateway, players, [grants, pages]);
        }
        catch
        {
            gateway.Dispose();
            throw;
        }
    }

    private async Task<double> ClosedLoopRateAsync(GatewayHost gateway, List<string> players) =>
        (await GrantLoadAsync(gateway, players, profile.Connections, profile.SweepMeasure, "rate")).RequestsPerSecond;

    private void Log(string line) => log.WriteLine($"[{engine.Name}] {line}");

    /// <summary>The CPU a load sampled over its measured period (every load here samples the gateway's).</summary>
    private static CpuUse MeasuredCpu(LoadResult load) => load.Cpu ?? throw new InvalidOperationException($"the load '{load.Name}' sampled no CPU");

    private static string Describe(LoadResult r) => string.Create(
        CultureInfo.InvariantCulture, $"{r.RequestsPerSecond:F0} req/s, p50 {r.P50:F1} ms, p99 {r.P99:F1} ms, {r.Failures} failed{(r.FirstError is null ? "" : " (" + r.FirstError + ")")}");

    private async Task<List<string>> LinkPlayersAsync(GatewayHost gateway, int count, string prefix)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"bench-{_run}-{prefix}{i}").ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, _) => await gateway.LinkPlayerAsync(id));
        return ids;
    }

    /// <summary>The size of the gateway's answer to a grant: the body (a) answers with.</summary>
    private async Task<int> GrantBodyBytesAsync(GatewayHost gateway, string player)
    {
        using var content = new StringContent(GatewayHost.GrantBody(player, $"bench-{_run}-size"), Encoding.UTF8, "application/json");
        using var response = await gateway.Client.PostAsync(new Uri("/inventory/v1/entitlement-event", UriKind.Relative), content);
        var body = await GatewayHost.Expect(response, HttpStatusCode.OK);
        return Encoding.UTF8.GetByteCount(body.ToJsonString());
    }

    private async Task<LoadResult> GrantLoadAsync(GatewayHost gateway, List<string> players, int connections, TimeSpan measure, string scenario)
    {
        using var client = LoadGenerator.CreateClient(gateway.BaseAddress, connections, gateway.Token);
        return await LoadGenerator.ClosedLoopAsync(
            $"grants {connections}", connections, profile.Warmup, measure,
            (worker, iteration) => GatewayHost.GrantAsync(
                client, players[(int)((worker + (iteration * connections)) % players.Count)], $"bench-{_run}-{scenario}-{worker}-{iteration}"),
            cpuOf: gateway.ProcessId);
    }

    /// <summary>
    /// Pages of 100 events of one player with <see cref="Profile.PageEvents"/> events: the first page (full
    /// and followed by newer events, so the gateway keeps its bytes), or, with <paramref name="newest"/>, the
    /// last 100 events, a page that newer events would join and that is read from the database every time.
    /// </summary>
    private async Task<LoadResult> PagesAsync(GatewayHost gateway, TimeSpan measure, bool newest, bool gzip)
    {
        var platformUser = $"bench-{_run}-pages-{(newest ? "newest" : "full")}-{(gzip ? "gzip" : "json")}";
        var player = await gateway.LinkPlayerAsync(platformUser);
        for (var i = 0; i < profile.PageEvents; i++)
        {
            await Check(GatewayHost.GrantAsync(gateway.Client, platformUser, $"{platformUser}-{i}"));
        }

        var path = PagePath(player, 100);
        if (newest)
        {
            using var skip = await gateway.Client.GetAsync(new Uri(PagePath(player, profile.PageEvents - 100), UriKind.Relative));
            var cursor = (await GatewayHost.Expect(skip, HttpStatusCode.OK))["cursor"]!.GetValue<string>();
            path += $"&cursor={cursor}";
        }

        using (var first = await gateway.Client.GetAsync(new Uri(path, UriKind.Relative)))
        {
            var page = await GatewayHost.Expect(first, HttpStatusCode.OK);
            var count = page["events"]?.AsArray().Count;
            if (count != 100 || (page["cursor"] is null) != newest)
            {
                throw new InvalidOperationException($"a page of the player's events holds {count} events and {(page["cursor"] is null ? "no" : "a")} cursor");
            }
        }

        if (gzip)
        {
            await CheckGzipPageAsync(gateway, path);
        }

        return await PageLoadAsync(gateway, measure, path, gzip);
    }

    /// <summary>The compressed answer is gzip and holds the same page of 100 events; keeps its size.</summary>
    private async Task CheckGzipPageAsync(GatewayHost gateway, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.AcceptEncoding.Add(new("gzip"));
        using var response = await gateway.Client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK || !response.Content.Headers.ContentEncoding.Contains("gzip"))
        {
            throw new InvalidOperationException($"GET {path} with Accept-Encoding: gzip answered {(int)response.StatusCode}, Content-Encoding '{string.Join(",", response.Content.Headers.ContentEncoding)}'");
        }

        var compressed = await response.Content.ReadAsByteArrayAsync();
        _pageGzipBytes = compressed.Length;
        await using var json = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var count = (await JsonNode.ParseAsync(json))?["events"]?.AsArray().Count;
        if (count != 100)
        {
            throw new InvalidOperationException($"the gzip page holds {count} events");
        }
    }

    private static string PagePath(Guid player, int limit) => $"/inventory/v1/entitlement-event?player_uuid={player}&limit={limit}";

    /// <summary>
    /// With <paramref name="gzip"/> the generator sends <c>Accept-Encoding: gzip</c>, as a client with automatic
    /// decompression does, and (as for JSON) reads the body to its end without decoding it.
    /// </summary>
    private async Task<LoadResult> PageLoadAsync(GatewayHost gateway, TimeSpan measure, string path, bool gzip)
    {
        using var client = LoadGenerator.CreateClient(gateway.BaseAddress, profile.Connections, gateway.Token);
        if (gzip)
        {
            client.DefaultRequestHeaders.AcceptEncoding.Add(new("gzip"));
        }

        return await LoadGenerator.ClosedLoopAsync(
            "event pages", profile.Connections, profile.Warmup, measure, (_, _) => GatewayHost.GetOkAsync(client, path), cpuOf: gateway.ProcessId);
    }

    private async Task<LoadResult> XboxAsync(GatewayHost gateway)
    {
        using var client = LoadGenerator.CreateClient(gateway.BaseAddress, profile.Connections);
        var users = new (string Xuid, string Token, string Ticket)[profile.Connections];
        await Parallel.ForEachAsync(Enumerable.Range(0, users.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellation) =>
        {
            var xuid = "2535" + (100_000_000_000L + (Random.Shared.NextInt64(0, 800_000_000_000L) / users.Length * users.Length) + i).ToString(CultureInfo.InvariantCulture);
            var token = await simulator.CreateUserAsync(xuid);
            var login = new JsonObject { ["TitleId"] = "E2E1", ["XboxToken"] = token, ["CreateAccount"] = true };
            using var content = new StringContent(login.ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri("/Client/LoginWithXbox", UriKind.Relative), content, cancellation);
            var body = await GatewayHost.Expect(response, HttpStatusCode.OK);
            users[i] = (xuid, token, body["data"]!["SessionTicket"]!.GetValue<string>());
        });

        return await LoadGenerator.ClosedLoopAsync(
            "xbox consume", profile.Connections, profile.Warmup, profile.Measure,
            prepare: (worker, iteration) => simulator.AddGemsAsync(users[worker].Xuid, $"gems-{worker}-{iteration}"),
            request: async (worker, _) =>
            {
                var (_, token, ticket) = users[worker];
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/Client/ConsumeXboxEntitlements", UriKind.Relative))
                {
                    Content = new StringContent(new JsonObject { ["XboxToken"] = token }.ToJsonString(), Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("X-Authorization", ticket);
                using var response = await client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return $"consume: HTTP {(int)response.StatusCode} {GatewayHost.Shorten(text)}";
                }

                var items = JsonNode.Parse(text)!["data"]!["Items"]!.AsArray().Count;
                return items == 1 ? null : $"consume: {items} items granted, 1 expected";
            },
            cpuOf: gateway.ProcessId);
    }

    /// <summary>
    /// (h): a WebSocket client on the all-players route while grants are sent open loop at 5,000/s, or at
    /// 80% of the sustained closed-loop grant rate when the system cannot take 5,000/s. Latency is the time the
    /// notification arrived minus the time its grant was sent, matched by event id.
    /// </summary>
    private async Task<PushFigures> PushAsync(GatewayHost gateway, List<string> players, double grantRate)
    {
        var targetRate = grantRate >= profile.PushTargetRate / 0.8;
        var rate = targetRate ? profile.PushTargetRate : Math.Max(10, Math.Floor(grantRate * 0.8));
        var received = new ConcurrentDictionary<string, long>();
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + gateway.Token);
        var wsUri = new UriBuilder(gateway.BaseAddress) { Scheme = "ws", Path = "/notifications/v1/ws" }.Uri;
        await socket.ConnectAsync(wsUri, CancellationToken.None);
        var lastMessage = Stopwatch.GetTimestamp();
        using var stop = new CancellationTokenSource();
        var receiving = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            var message = new MemoryStream();
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var result = await socket.ReceiveAsync(buffer, stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return "the gateway closed the WebSocket: " + result.CloseStatusDescription;
                    }

                    message.Write(buffer, 0, result.Count);
                    if (!result.EndOfMessage)
                    {
                        continue;
                    }

                    var at = Stopwatch.GetTimestamp();
                    lastMessage = at;
                    using (var document = JsonDocument.Parse(message.ToArray()))
                    {
                        if (document.RootElement.TryGetProperty("event_id", out var eventId))
                        {
                            received.TryAdd(eventId.GetString()!, at);
                        }
                    }

                    message.SetLength(0);
                }

                return "the WebSocket ended: " + socket.State;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        });

        // Let the relay catch up with the load before: only live notifications of this scenario count.
        var drainDeadline = DateTime.UtcNow.AddSeconds(90);
        while (LoadGenerator.TicksToMs(Stopwatch.GetTimestamp() - lastMessage) < 1500 && DateTime.UtcNow < drainDeadline)
        {
            await Task.Delay(200);
        }

        received.Clear();
        var sent = new ConcurrentDictionary<string, long>();
        var answered = new ConcurrentDictionary<string, long>();
        using var client = LoadGenerator.CreateClient(gateway.BaseAddress, profile.Connections, gateway.Token);
        var serverBefore = await ServerHistogram.ReadGrantsAsync(gateway.Client);
        // Each grant's latencies run from the time it was due to be sent: a grant the generator sent late
        // (a busy machine) counts its wait too.
        var openLoop = await LoadGenerator.OpenLoopAsync("push grants", rate, profile.PushDuration, maxInFlight: 4096, (iteration, scheduled) =>
            GatewayHost.GrantAsync(
                client, players[(int)(iteration % players.Count)], $"bench-{_run}-push-{iteration}", eventId =>
                {
                    sent[eventId] = scheduled;
                    answered[eventId] = Stopwatch.GetTimestamp();
                }),
            cpuOf: gateway.ProcessId);
        var load = openLoop.Load;

        var serverAfter = await ServerHistogram.ReadGrantsAsync(gateway.Client);
        var serverP99 = serverBefore is not null && serverAfter is not null ? serverAfter.PercentileBoundMs(serverBefore, 99) : double.NaN;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (sent.Keys.Any(id => !received.ContainsKey(id)) && DateTime.UtcNow < deadline && !receiving.IsCompleted)
        {
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        var socketError = await receiving;
        var arrived = sent.Where(s => received.ContainsKey(s.Key)).ToList();
        var missing = sent.Count - arrived.Count;
        // A grant that failed or was not sent has no notification either: it and a lost notification
        // count as later than any limit, so that the percentiles are over every grant of the run (with more
        // than 1% lost, the p99 is infinite and (h) cannot pass).
        var lost = missing + load.Failures;
        var latencies = Sorted(arrived.Select(s => LoadGenerator.TicksToMs(received[s.Key] - s.Value)).Concat(Enumerable.Repeat(double.PositiveInfinity, (int)lost)));
        var answers = Sorted(sent.Select(s => LoadGenerator.TicksToMs(answered[s.Key] - s.Value)));
        var deliveries = Sorted(arrived.Select(s => LoadGenerator.TicksToMs(received[s.Key] - answered[s.Key])));
        var error = load.FirstError ?? socketError ?? (missing > 0 ? $"{missing} notifications did not arrive within 15 s" : null);
        return new PushFigures(
            rate, targetRate, grantRate, sent.Count + load.Failures, sent.Count, arrived.Count, openLoop.SentRate, LoadResult.Percentile(latencies, 50), LoadResult.Percentile(latencies, 99),
            LoadResult.Percentile(answers, 50), LoadResult.Percentile(answers, 99), serverP99, LoadResult.Percentile(deliveries, 50), LoadResult.Percentile(deliveries, 99),
            load.Failures + missing, error)
        { Cpu = load.Cpu };

        static double[] Sorted(IEnumerable<double> values)
        {
            var sorted = values.ToArray();
            Array.Sort(sorted);
            return sorted;
        }
    }

    /// <summary>(f) and (g). Stops <paramref name="gateway"/>, seeds long histories, and starts the gateway twice more.</summary>
    private async Task<HistoryFigures> HistoryAsync(GatewayHost gateway)
    {
        Log($"(f)/(g) players with {profile.SmallHistory}, {profile.LargeHistory} and {profile.ActivationHistory} events");
        var small = await SeedPlayerAsync(gateway, "h-small");
        var large = await SeedPlayerAsync(gateway, "h-large");
        var cold = new List<(string User, Guid Player)>();
        for (var i = 0; i < profile.ActivationPlayers; i++)
        {
            cold.Add(await SeedPlayerAsync(gateway, $"h-cold{i}"));
        }

        gateway.Dispose();
        await using (var connection = await engine.OpenDatabase())
        {
            await HistorySeed.CopyFirstEventAsync(connection, small.Player, profile.SmallHistory);
            await HistorySeed.CopyFirstEventAsync(connection, large.Player, profile.LargeHistory);
            foreach (var (_, player) in cold)
            {
                await HistorySeed.CopyFirstEventAsync(connection, player, profile.ActivationHistory);
            }

            await HistorySeed.SettleAsync(connection);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        double coldWithoutSnapshot;
        double smallP50;
        double largeP50;
        using (var second = await GatewayHost.StartAsync(build, dataDirectory, Settings))
        {
            await WarmUpAsync(second, small.Player);
            var (first, _) = await TimeGetAsync(second, cold[0].Player);
            var warm = await TimeWarmGetAsync(second, cold[0].Player);
            coldWithoutSnapshot = first - warm;
            Log(string.Create(CultureInfo.InvariantCulture, $"    (g) without a snapshot: first request {first:F1} ms, warm {warm:F1} ms"));

            // (f): both players active; alternate their grants so that both see the same conditions.
            await TimeGetAsync(second, large.Player);
            var smallTimes = new List<double>();
            var largeTimes = new List<double>();
            for (var i = 0; i < profile.HistoryGrants; i++)
            {
                smallTimes.Add(await TimeGrantAsync(second, small.User, $"bench-{_run}-fs-{i}"));
                largeTimes.Add(await TimeGrantAsync(second, large.User, $"bench-{_run}-fl-{i}"));
            }

            smallP50 = Median(smallTimes);
            largeP50 = Median(largeTimes);
            Log(string.Create(CultureInfo.InvariantCulture, $"    (f) grant p50: {smallP50:F2} ms with {profile.SmallHistory} events, {largeP50:F2} ms with {profile.LargeHistory}"));

            // One grant each makes the grains write their snapshot (every Ledger:SnapshotEvery events), as the system does.
            foreach (var (user, _) in cold)
            {
                await TimeGrantAsync(second, user, $"bench-{_run}-snap-{user}");
            }
        }

        using var third = await GatewayHost.StartAsync(build, dataDirectory, Settings);
        // The large player has a snapshot now: warming up on it runs (and compiles) the snapshot path once.
        await WarmUpAsync(third, large.Player);
        var samples = new List<(double Cold, double Warm)>();
        foreach (var (_, player) in cold)
        {
            var (first, _) = await TimeGetAsync(third, player);
            var warm = await TimeWarmGetAsync(third, player);
            samples.Add((first, warm));
        }

        var median = samples.OrderBy(s => s.Cold - s.Warm).ElementAt(samples.Count / 2);
        Log(string.Create(CultureInfo.InvariantCulture, $"    (g) with the snapshot: first request {median.Cold:F1} ms, warm {median.Warm:F1} ms"));
        return new HistoryFigures(
            profile.SmallHistory, profile.LargeHistory, smallP50, largeP50, profile.ActivationHistory,
            coldWithoutSnapshot, median.Cold, median.Warm, [.. samples.Select(s => s.Cold - s.Warm)]);
    }

    private async Task<(string User, Guid Player)> SeedPlayerAsync(GatewayHost gateway, string name)
    {
        var user = $"bench-{_run}-{name}";
        var player = await gateway.LinkPlayerAsync(user);
        await Check(GatewayHost.GrantAsync(gateway.Client, user, $"bench-{_run}-{name}"));
        return (user, player);
    }

    /// <summary>Activate what every request needs (the gateway's first requests, the catalog), on another player.</summary>
    private static async Task WarmUpAsync(GatewayHost gateway, Guid otherPlayer)
    {
        for (var i = 0; i < 3; i++)
        {
            await TimeGetAsync(gateway, otherPlayer);
        }
    }

    private static async Task<(double Ms, string Body)> TimeGetAsync(GatewayHost gateway, Guid player)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await gateway.Client.GetAsync(new Uri($"/inventory/v1/player/{player}/entitlements", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        var ms = LoadGenerator.TicksToMs(Stopwatch.GetTimestamp() - started);
        return response.StatusCode == HttpStatusCode.OK ? (ms, body) : throw new InvalidOperationException($"entitlements of {player}: HTTP {(int)response.StatusCode} {body}");
    }

    /// <summary>A warm request's time: the median of five in a row, so that one slow answer (a collection, a checkpoint) does not become (g)'s baseline.</summary>
    private static async Task<double> TimeWarmGetAsync(GatewayHost gateway, Guid player)
    {
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            times.Add((await TimeGetAsync(gateway, player)).Ms);
        }

        return times.Order().ElementAt(times.Count / 2);
    }

    private static async Task<double> TimeGrantAsync(GatewayHost gateway, string user, string transaction)
    {
        var started = Stopwatch.GetTimestamp();
        await Check(GatewayHost.GrantAsync(gateway.Client, user, transaction));
        return LoadGenerator.TicksToMs(Stopwatch.GetTimestamp() - started);
    }

    private static async Task Check(Task<string?> request)
    {
        if (await request is { } error)
        {
            throw new InvalidOperationException(error);
        }
    }

    private static double Median(List<double> values) => LoadResult.Percentile([.. values.Order()], 50);
}
