using System.Globalization;
using System.Net;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Postgres;

namespace Entitlements.Bench;

/// <summary>
/// <c>bench/run.sh [--smoke] [--engines sqlite,postgresql]</c>: starts the system as a user starts it
/// (the Release build of the gateway, on embedded SQLite and then on a throwaway PostgreSQL with fsync
/// on, beside the Xbox Live simulator and a minimal Kestrel endpoint) and prints figures (a) to (h)
/// with their targets; writes them as JSON (and, in a full run, the throughput/p99 plot).
/// </summary>
internal static class Harness
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var smoke = args.Contains("--smoke");
        var root = Value(args, "--root") ?? FindRoot();
        var engines = (Value(args, "--engines") ?? "sqlite,postgresql").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var profile = new Profile(smoke);
        var build = new BuildOutput(root, Value(args, "--configuration") ?? "Release");
        var resultsDirectory = Path.Combine(root, "bench", "results");
        var work = Path.Combine(Path.GetTempPath(), "entitlements-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        var started = DateTimeOffset.UtcNow;
        var machine = await MachineInfo.ReadAsync(root);
        output.WriteLine($"Benchmark ({(smoke ? "smoke" : "full")} run), {started:yyyy-MM-dd HH:mm} UTC, commit {machine.Commit}");

        PostgresServer? postgres = null;
        SimulatorProcess? simulator = null;
        var probe = Value(args, "--probe");
        var usesPostgres = probe is null
            ? engines.Contains("postgresql", StringComparer.OrdinalIgnoreCase)
            : string.Equals(engines.FirstOrDefault(), "postgresql", StringComparison.OrdinalIgnoreCase);

        // An engine the gateway runs on; PostgreSQL's throwaway server is started the first time one is needed.
        async Task<Engine> EngineAsync(string name) => name.ToLowerInvariant() switch
        {
            "sqlite" => SqliteEngine(work),
            "postgresql" => await PostgresEngineAsync(postgres ??= await StartPostgresAsync()),
            _ => throw new ArgumentException($"unknown engine {name}: sqlite or postgresql"),
        };

        try
        {
            if (usesPostgres)
            {
                // Started first, so that the machine line says how durable the server is.
                postgres = await StartPostgresAsync();
                machine = machine with { Postgres = await PostgresDurabilityAsync(postgres) };
            }

            output.WriteLine($"Machine: {machine}");
            if (probe is not null)
            {
                var seconds = double.Parse(Value(args, "--seconds") ?? "20", CultureInfo.InvariantCulture);
                var probed = await EngineAsync(engines[0]);
                simulator = await SimulatorProcess.StartAsync(build, Path.Combine(work, "xbox-keys"));
                var bench = new EngineBench(build, profile, probed, simulator, Path.Combine(work, probed.Name.ToLowerInvariant()), output);
                var result = await bench.ProbeAsync(probe, TimeSpan.FromSeconds(seconds), Probe.Tracer(Value(args, "--trace"), output));
                return result.Requests > 0 && result.Failures == 0 ? 0 : 1;
            }

            var report = new BenchReport(profile, machine, started);

            output.WriteLine("(b) durable insert ceilings");
            report.Inserts.AddRange(await InsertCeilings.SqliteAsync(work, profile.InsertDuration, profile.InsertBatch));
            if (postgres is not null)
            {
                report.Inserts.AddRange(await InsertCeilings.PostgresAsync(await postgres.CreateDatabaseAsync(), profile.InsertDuration, profile.InsertBatch, profile.InsertWriters));
            }

            foreach (var insert in report.Inserts)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {insert.Engine}, {insert.Mode}, {insert.Writers} writer(s): {insert.RowsPerSecond:F0} rows/s"));
            }

            simulator = await SimulatorProcess.StartAsync(build, Path.Combine(work, "xbox-keys"));
            foreach (var name in engines)
            {
                var engine = await EngineAsync(name);
                var bench = new EngineBench(build, profile, engine, simulator, Path.Combine(work, engine.Name.ToLowerInvariant()), output);
                report.Engines.Add(await bench.RunAsync());
            }

            output.WriteLine("(a) HTTP ceiling: minimal Kestrel endpoint");
            report.HttpCeiling = await HttpCeilingAsync(build, profile, report.Engines.FirstOrDefault()?.GrantBodyBytes ?? 600);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {report.HttpCeiling.RequestsPerSecond:F0} req/s, p99 {report.HttpCeiling.P99:F1} ms"));
            report.Finished = DateTimeOffset.UtcNow;

            output.WriteLine();
            report.WriteTable(output);
            Directory.CreateDirectory(resultsDirectory);
            var json = Path.Combine(resultsDirectory, smoke ? "smoke.json" : "latest.json");
            await File.WriteAllTextAsync(json, report.ToJson());
            output.WriteLine($"Figures written to {Path.GetRelativePath(root, json)}");
            if (!smoke)
            {
                var png = Path.Combine(resultsDirectory, "grants-vs-concurrency.png");
                ConcurrencyPlot.Write(report, png);
                output.WriteLine($"Plot written to {Path.GetRelativePath(root, png)}");
            }

            var problems = report.SmokeProblems();
            foreach (var problem in problems)
            {
                output.WriteLine("FAILED: " + problem);
            }

            return problems.Count == 0 ? 0 : 1;
        }
        finally
        {
            simulator?.Dispose();
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// A throwaway PostgreSQL of the harness's own, with fsync and synchronous commit on: never the server
    /// of <c>ENTITLEMENTS_TEST_POSTGRES</c>, which the tests use and which may be a developer's server
    /// with neither.
    /// </summary>
    private static Task<PostgresServer> StartPostgresAsync() => PostgresServer.StartThrowawayAsync(durable: true);

    /// <summary>
    /// The server's <c>fsync</c> and <c>synchronous_commit</c>, as the machine line shows them; throws unless
    /// both are on, since then (b), and every figure on PostgreSQL, would measure commits that are not durable.
    /// </summary>
    private static async Task<string> PostgresDurabilityAsync(PostgresServer server)
    {
        await using var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        async Task<string> Show(string setting)
        {
            await using var command = new Npgsql.NpgsqlCommand($"SHOW {setting}", connection);
            return (string)(await command.ExecuteScalarAsync())!;
        }

        var fsync = await Show("fsync");
        var synchronousCommit = await Show("synchronous_commit");
        var version = await Show("server_version");
        if (fsync != "on" || synchronousCommit != "on")
        {
            throw new InvalidOperationException(
                $"The benchmark's PostgreSQL must make every commit durable, and it runs with fsync = {fsync}, synchronous_commit = {synchronousCommit}: refusing to measure it.");
        }

        return $"PostgreSQL {version}, fsync {fsync}, synchronous_commit {synchronousCommit}";
    }

    private static Engine SqliteEngine(string work)
    {
        var database = Path.Combine(work, "sqlite", "entitlements.db");
        return new Engine("SQLite", new Dictionary<string, string>(), () => HistorySeed.OpenSqliteAsync(database));
    }

    private static async Task<Engine> PostgresEngineAsync(PostgresServer server)
    {
        var connectionString = await server.CreateDatabaseAsync();
        return new Engine(
            "PostgreSQL",
            new Dictionary<string, string> { ["Storage:Provider"] = "PostgreSql", ["Storage:ConnectionString"] = connectionString },
            () => HistorySeed.OpenPostgresAsync(connectionString));
    }

    /// <summary>(a): the minimal endpoint as its own process, under the same generator, connections and request body as (c).</summary>
    private static async Task<LoadResult> HttpCeilingAsync(BuildOutput build, Profile profile, int bodyBytes)
    {
        var port = FreePorts.Next();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        // Server GC, as the gateway runs (Microsoft.NET.Sdk.Web turns it on): for this child only, since
        // Bench.dll is also the harness and its load generator, which keep the workstation GC of every figure.
        using var process = ChildProcess.Start(
            "kestrel", build.BenchDll, [MinimalEndpoint.Command, "--urls", baseAddress.AbsoluteUri.TrimEnd('/'), "--body-bytes", bodyBytes.ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" });
        using var client = LoadGenerator.CreateClient(baseAddress, profile.Connections);
        await process.WaitUntilAsync(
            async () =>
            {
                using var response = await client.GetAsync(new Uri("/ready", UriKind.Relative));
                return response.StatusCode == HttpStatusCode.OK;
            },
            TimeSpan.FromSeconds(30));
        return await LoadGenerator.ClosedLoopAsync("http ceiling", profile.Connections, profile.Warmup, profile.Measure, async (worker, iteration) =>
        {
            using var content = new StringContent(GatewayHost.GrantBody($"bench-{worker}", $"bench-a-{worker}-{iteration}"), System.Text.Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri("/entitlement-event", UriKind.Relative), content);
            var body = await response.Content.ReadAsByteArrayAsync();
            return response.StatusCode == HttpStatusCode.OK && body.Length == bodyBytes ? null : $"HTTP {(int)response.StatusCode}, {body.Length} bytes";
        });
    }

    private static string? Value(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("no Orleans.sln above the harness: pass --root");
    }
}

/// <summary>The machine the figures were measured on.</summary>
internal sealed record MachineInfo(string Cpu, int Cores, string Memory, string Os, string Runtime, string Commit, double LoadAverage)
{
    /// <summary>The benchmark's PostgreSQL server and its durability settings, when a run uses it.</summary>
    public string? Postgres { get; init; }

    public static async Task<MachineInfo> ReadAsync(string root)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim()
            : "unknown";
        string commit;
        try
        {
            commit = (await ChildProcess.RunToEndAsync("git", ["-C", root, "rev-parse", "--short", "HEAD"])).Trim();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            commit = "unknown";
        }

        return new MachineInfo(
            cpu, Environment.ProcessorCount, memory, System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, commit, CpuSampler.LoadAverage());
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Cores} cores ({Cpu}), {Memory} memory, {Os}, {Runtime}; load average {LoadAverage:F2} at start{(Postgres is null ? "" : "; " + Postgres)}");
}
