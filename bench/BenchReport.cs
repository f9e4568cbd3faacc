using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Entitlements.Bench;

/// <summary>One line of the final table.</summary>
internal sealed record Figure(string Id, string Engine, string What, string Value, string Target, bool? Pass, string? Limit);

/// <summary>Every figure of a run, the targets of issue 7, the table and the JSON.</summary>
internal sealed class BenchReport(Profile profile, MachineInfo machine, DateTimeOffset started)
{
    public List<InsertCeiling> Inserts { get; } = [];

    public List<EngineFigures> Engines { get; } = [];

    public LoadResult? HttpCeiling { get; set; }

    public DateTimeOffset Finished { get; set; }

    public int Players => profile.Players;

    public MachineInfo Machine => machine;

    public IReadOnlyList<Figure> Figures()
    {
        var figures = new List<Figure>();
        // (c) and (d) are ratios to (a): with no request completed in (a) there is nothing to divide by,
        // and the ratio is NaN (a MISS), never an infinity that would pass.
        var ceiling = HttpCeiling is { Requests: > 0, RequestsPerSecond: > 0 and < double.PositiveInfinity } measured ? measured.RequestsPerSecond : double.NaN;
        if (HttpCeiling is { } a)
        {
            figures.Add(new("a", "-", $"HTTP ceiling, minimal Kestrel endpoint, {a.Connections} connections", F($"{a.RequestsPerSecond:F0} req/s, p99 {a.P99:F1} ms"), "reference", null, null));
        }

        foreach (var i in Inserts)
        {
            figures.Add(new("b", i.Engine, $"durable inserts: {i.Mode}, {i.Writers} writer(s)", F($"{i.RowsPerSecond:F0} rows/s"), "reference", null, null));
        }

        foreach (var e in Engines)
        {
            // Appends are group-committed: the database's ceiling for them is its batched insert rate.
            var batched = Inserts.FirstOrDefault(i => i.Engine == e.Engine && i.RowsPerTransaction > 1);
            var c = e.Grants;
            var cRatio = c.RequestsPerSecond / ceiling;
            figures.Add(new(
                "c", e.Engine, $"POST entitlement-event grants, distinct players, {c.Connections} connections",
                F($"{c.RequestsPerSecond:F0} req/s, p50 {c.P50:F1} ms, p99 {c.P99:F1} ms, {Ratio(cRatio)}"),
                ">= 40% of (a)", double.IsFinite(cRatio) && cRatio >= 0.4,
                F($"one append transaction at a time ({(e.Engine == "SQLite" ? "SQLite's one writer" : "the ledger lock; the server's CPU per append statement")}) and {e.GrantsCpu.ProcessCores * 1000 / Math.Max(1, c.RequestsPerSecond):F2} ms of gateway CPU per grant; (b) {batched?.Mode}: {batched?.RowsPerSecond ?? double.NaN:F0} rows/s; during (c): {e.GrantsCpu} (see BENCHMARKS.md)")));
            var d = e.Pages;
            var dRatio = d.RequestsPerSecond / ceiling;
            figures.Add(new(
                "d", e.Engine, $"GET entitlement-event, a full page of 100 of one player (kept by the gateway), Accept-Encoding: gzip, {d.Connections} connections",
                F($"{d.RequestsPerSecond:F0} req/s, p99 {d.P99:F1} ms, {Ratio(dRatio)}"), ">= 60% of (a)", double.IsFinite(dRatio) && dRatio >= 0.6,
                F($"each answer is {e.PageGzipBytes / 1024.0:F1} KiB of gzip for about {e.GrantBodyBytes * 100 / 1024} KiB of JSON, (a)'s is {e.GrantBodyBytes} bytes; during (d): {e.PagesCpu}")));
            var j = e.PagesJson;
            figures.Add(new(
                "d", e.Engine, $"GET entitlement-event, the same full page as JSON (no Accept-Encoding), {j.Connections} connections",
                F($"{j.RequestsPerSecond:F0} req/s, p99 {j.P99:F1} ms, {Ratio(j.RequestsPerSecond / ceiling)}"), "reference", null,
                F($"about {e.GrantBodyBytes * 100 / 1024} KiB per answer: the gateway's kernel copies them into loopback and the generator reads them, on the same cores; during it: {e.PagesJsonCpu}")));
            var n = e.NewestPages;
            figures.Add(new(
                "d", e.Engine, $"GET entitlement-event, the newest page of 100 (read from the database every time), as JSON, {n.Connections} connections",
                F($"{n.RequestsPerSecond:F0} req/s, p99 {n.P99:F1} ms, {Ratio(n.RequestsPerSecond / ceiling)}"), "reference", null,
                F($"100 rows read, mapped and written as JSON per page; during it: {e.NewestPagesCpu}")));
            var x = e.Xbox;
            figures.Add(new(
                "e", e.Engine, $"ConsumeXboxEntitlements against the simulator, 1 item per call, {x.Connections} connections",
                F($"{x.RequestsPerSecond:F0} calls/s, p50 {x.P50:F1} ms, p99 {x.P99:F1} ms"), "reference", null, null));
            var h = e.History;
            figures.Add(new(
                "f", e.Engine, $"grant p50 with {h.LargeHistory:N0} events of history / with {h.SmallHistory}",
                F($"{h.Ratio:F2} ({h.LargeP50:F2} ms / {h.SmallP50:F2} ms)"), "<= 1.2", h.Ratio <= 1.2,
                "a grant reads the player's head version and the transaction's events; it should not grow with the player's history (see BENCHMARKS.md on SQLite's transaction lookup)"));
            figures.Add(new(
                "g", e.Engine, $"cold activation, {h.ActivationHistory:N0} events, with the snapshot the system writes",
                F($"{h.ActivationMs:F1} ms (first request {h.ColdMs:F1} ms - warm {h.WarmMs:F1} ms); {h.ColdWithoutSnapshotMs:F0} ms with no snapshot"),
                "<= 50 ms", h.ActivationMs <= 50,
                "activation reads the snapshot and the events after it (Ledger:SnapshotEvery)"));
            var p = e.Push;
            figures.Add(new(
                "h", e.Engine, F($"grant to WebSocket notification at {p.Rate:F0} grants/s{(p.TargetRate ? "" : " (80% of the sustained rate)")}"),
                F($"{p.AchievedRate:F0}/s sent, p50 {PushFigures.Ms(p.P50)}, p99 {PushFigures.Ms(p.P99)}, {p.Received}/{p.Grants} received{(p.Grants > p.Sent ? F($" ({p.Grants - p.Sent} grants failed or not sent)") : "")}"),
                "p99 <= 50 ms at 5,000/s (sent within 5%), every notification received", PushPasses(p),
                (p.TargetRate
                    ? ""
                    : F($"grants are limited to {p.SustainedRate:F0}/s (the lower of (c) and its sweep point), so 5,000/s cannot be offered; "))
                + F($"of the p99, the grant's HTTP answer took {p.AnswerP99:F1} ms (in the gateway's own histogram: <= {p.ServerAnswerP99:F0} ms) and the answer to the notification {p.DeliveryP99:F1} ms (each its own p99); during (h): {e.PushCpu}")));
        }

        return figures;
    }

    public void WriteTable(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var figures = Figures();
        output.WriteLine(F($"Results ({(profile.Smoke ? "smoke run: sizes and durations are tiny, the figures mean nothing" : "full run")}); load average {CpuSampler.LoadAverage():F2} at the end"));
        output.WriteLine($"{"",-3} {"engine",-10} {"result",-6} {"figure",-80} value (target)");
        foreach (var f in figures)
        {
            var result = f.Pass switch { true => "PASS", false => "MISS", null => "" };
            output.WriteLine($"({f.Id}) {f.Engine,-10} {result,-6} {f.What,-80} {f.Value} ({f.Target})");
            if (f.Pass == false && f.Limit is not null)
            {
                output.WriteLine($"{"",22}limited by: {f.Limit}");
            }
        }
    }

    public string ToJson()
    {
        static JsonObject Load(LoadResult r) => new()
        {
            ["connections"] = r.Connections,
            ["requests"] = r.Requests,
            ["failures"] = r.Failures,
            ["seconds"] = Finite(r.Seconds),
            ["requests_per_second"] = Round(r.RequestsPerSecond),
            ["p50_ms"] = Round(r.P50),
            ["p99_ms"] = Round(r.P99),
        };
        static JsonObject Cpu(CpuUse c) => new()
        {
            ["machine_busy_percent"] = Round(c.MachineBusyPercent),
            ["io_wait_percent"] = Round(c.IoWaitPercent),
            ["gateway_cores"] = Round(c.ProcessCores),
            ["load_average"] = Round(c.LoadAverage),
            ["gateway_resident_mb"] = Round(c.ResidentMegabytes),
        };
        var document = new JsonObject
        {
            ["started"] = started.ToString("O", CultureInfo.InvariantCulture),
            ["finished"] = Finished.ToString("O", CultureInfo.InvariantCulture),
            ["smoke"] = profile.Smoke,
            ["machine"] = JsonSerializer.SerializeToNode(machine, NonFiniteAsNull),
            ["load_average_end"] = Round(CpuSampler.LoadAverage()),
            ["a_http_ceiling"] = HttpCeiling is null ? null : Load(HttpCeiling),
            ["b_inserts"] = new JsonArray([.. Inserts.Select(i => (JsonNode)new JsonObject
            {
                ["engine"] = i.Engine,
                ["mode"] = i.Mode,
                ["writers"] = i.Writers,
                ["rows_per_transaction"] = i.RowsPerTransaction,
                ["rows_per_second"] = Round(i.RowsPerSecond),
            })]),
            ["engines"] = new JsonArray([.. Engines.Select(e => (JsonNode)new JsonObject
            {
                ["engine"] = e.Engine,
                ["grant_body_bytes"] = e.GrantBodyBytes,
                ["c_grants"] = Load(e.Grants),
                ["c_cpu"] = Cpu(e.GrantsCpu),
                ["sweep"] = new JsonArray([.. e.Sweep.Select(s => (JsonNode)Load(s))]),
                ["d_pages"] = Load(e.Pages),
                ["d_cpu"] = Cpu(e.PagesCpu),
                ["d_page_gzip_bytes"] = e.PageGzipBytes,
                ["d_pages_json"] = Load(e.PagesJson),
                ["d_json_cpu"] = Cpu(e.PagesJsonCpu),
                ["d_newest_pages"] = Load(e.NewestPages),
                ["d_newest_cpu"] = Cpu(e.NewestPagesCpu),
                ["e_xbox"] = Load(e.Xbox),
                ["e_cpu"] = Cpu(e.XboxCpu),
                ["f_history"] = new JsonObject
                {
                    ["small_history"] = e.History.SmallHistory,
                    ["large_history"] = e.History.LargeHistory,
                    ["small_p50_ms"] = Round(e.History.SmallP50),
                    ["large_p50_ms"] = Round(e.History.LargeP50),
                    ["ratio"] = Round(e.History.Ratio),
                },
                ["g_activation"] = new JsonObject
                {
                    ["events"] = e.History.ActivationHistory,
                    ["cold_ms"] = Round(e.History.ActivationMs),
                    ["first_request_ms"] = Round(e.History.ColdMs),
                    ["warm_request_ms"] = Round(e.History.WarmMs),
                    ["samples_ms"] = new JsonArray([.. e.History.ColdSamplesMs.Select(s => (JsonNode?)Round(s))]),
                    ["cold_without_snapshot_ms"] = Round(e.History.ColdWithoutSnapshotMs),
                },
                ["h_push"] = new JsonObject
                {
                    ["offered_rate"] = Finite(e.Push.Rate),
                    ["target_rate"] = e.Push.TargetRate,
                    ["sustained_grant_rate"] = Round(e.Push.SustainedRate),
                    ["sent_rate"] = Round(e.Push.AchievedRate),
                    ["grants"] = e.Push.Grants,
                    ["sent"] = e.Push.Sent,
                    ["received"] = e.Push.Received,
                    ["p50_ms"] = Round(e.Push.P50),
                    ["p99_ms"] = Round(e.Push.P99),
                    ["answer_p50_ms"] = Round(e.Push.AnswerP50),
                    ["answer_p99_ms"] = Round(e.Push.AnswerP99),
                    ["gateway_answer_p99_bucket_ms"] = Round(e.Push.ServerAnswerP99),
                    ["answer_to_notification_p50_ms"] = Round(e.Push.DeliveryP50),
                    ["answer_to_notification_p99_ms"] = Round(e.Push.DeliveryP99),
                    ["failures"] = e.Push.Failures,
                },
                ["h_cpu"] = Cpu(e.PushCpu),
                ["warmup_failures"] = e.Warmup.Sum(w => w.Failures),
            })]),
            ["figures"] = JsonSerializer.SerializeToNode(Figures(), NonFiniteAsNull),
        };
        // Strict JSON: a NaN or an infinity left in the document would throw here rather than be written.
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>What makes a run fail: a scenario with no figures, or any request that failed.</summary>
    public List<string> SmokeProblems()
    {
        var problems = new List<string>();
        void Check(string name, LoadResult? r)
        {
            if (r is null || r.Requests == 0)
            {
                problems.Add($"{name}: no request completed in the measured period");
            }
            else if (r.Failures > 0)
            {
                problems.Add($"{name}: {r.Failures} requests failed, first: {r.FirstError}");
            }
        }

        Check("(a)", HttpCeiling);
        problems.AddRange(Inserts.Where(i => i.Rows == 0).Select(i => $"(b) {i.Engine} {i.Mode}: no row inserted"));
        foreach (var e in Engines)
        {
            foreach (var w in e.Warmup.Where(w => w.Failures > 0))
            {
                problems.Add($"warm-up {e.Engine} {w.Name}: {w.Failures} requests failed, first: {w.FirstError}");
            }

            Check($"(c) {e.Engine}", e.Grants);
            foreach (var s in e.Sweep)
            {
                Check($"sweep {e.Engine} {s.Connections}", s);
            }

            Check($"(d) {e.Engine}", e.Pages);
            Check($"(d) JSON {e.Engine}", e.PagesJson);
            Check($"(d) newest page {e.Engine}", e.NewestPages);
            Check($"(e) {e.Engine}", e.Xbox);
            if (e.Push.Received == 0 || e.Push.Failures > 0)
            {
                problems.Add($"(h) {e.Engine}: {e.Push.Received}/{e.Push.Grants} notifications received, {e.Push.Failures} failures, first: {e.Push.FirstError}");
            }

            if (!double.IsFinite(e.History.Ratio) || !double.IsFinite(e.History.ActivationMs) || !double.IsFinite(e.History.ColdWithoutSnapshotMs))
            {
                problems.Add($"(f)/(g) {e.Engine}: no figure");
            }
        }

        return problems;
    }

    /// <summary>
    /// (h) passes at the target rate only, with the grants actually sent within 5% of it, its p99 within
    /// 50 ms over every grant of the run (a lost notification counts as infinitely late) and no grant
    /// failed and no notification lost.
    /// </summary>
    public static bool PushPasses(PushFigures p) =>
        p.TargetRate && Math.Abs(p.AchievedRate - p.Rate) <= 0.05 * p.Rate && p.Lost == 0 && p.Failures == 0 && p.P99 <= 50;

    private static string Ratio(double ratio) => double.IsFinite(ratio) ? F($"{ratio:P0} of (a)") : "no ratio: (a) has no figure";

    /// <summary>
    /// A figure for the JSON, to 2 decimals; null when it has no finite value (no request completed, or a
    /// percentile that falls on (h)'s lost notifications, which count as infinitely late): JSON has no NaN
    /// or infinity.
    /// </summary>
    private static double? Round(double value) => Finite(value) is { } finite ? Math.Round(finite, 2) : null;

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>Serializes records whose <see cref="double"/> properties may hold NaN or an infinity: those are written as null.</summary>
    private static readonly JsonSerializerOptions NonFiniteAsNull = new() { Converters = { new NonFiniteAsNullConverter() } };

    private sealed class NonFiniteAsNullConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
