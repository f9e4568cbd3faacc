using System.Net;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Postgres;
using Npgsql;
using Xunit.Sdk;

namespace Entitlements.Tests.Outage;

/// <summary>
/// A gateway process started while its PostgreSQL is not up (docker compose starting both at once):
/// it waits, retrying, and serves once the database is there; or, past <c>Storage:StartupWaitSeconds</c>,
/// stops with a message that says so. And an embedded gateway started on a database another one uses.
/// </summary>
[Collection(OutageDefinition.Name)]
public sealed class PostgresStartupTests : IAsyncLifetime, IAsyncDisposable
{
    private const string UnreachableWarning = "The store is unreachable at start";
    private const long LockKey = 5003064232328822788; // Entitlements.Hosting.EmbeddedSiloLock.Key
    private readonly TempDirectory _data = new();
    private readonly List<GatewayProcess> _processes = [];
    private PostgresServer _postgres = null!;
    private string _database = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartThrowawayAsync();
        _database = await _postgres.CreateDatabaseAsync();
        await _postgres.CrashAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        await _postgres.DisposeAsync();
        _data.Dispose();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    [Fact]
    public async Task Gateway_StartedBeforePostgres_WaitsAndServesOnceItIsUp()
    {
        GatewayProcess? process = null;
        var starting = StartAsync(waitSeconds: 120, started: p => process = p);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (process?.Output.Contains(UnreachableWarning, StringComparison.Ordinal) != true)
        {
            Assert.False(starting.IsCompleted, $"the gateway answered, or stopped, before its database was up:\n{process?.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"the gateway did not report the unreachable database:\n{process?.Output}");
            await Task.Delay(100);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(starting.IsCompleted, "the gateway answered before its database was up");
        await _postgres.StartAgainAsync();

        var gateway = await starting;
        var player = await gateway.Client.CreatePlayerAsync();
        await gateway.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"), quantity: 2));
        Assert.Equal(200, Assert.Single(await gateway.Client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    /// <summary>
    /// Asked to stop while it waits for its database (an orchestrator giving up, Ctrl+C): a stop that was
    /// asked for, not a failed start, so exit code 0 and a line that says so.
    /// </summary>
    [Fact]
    public async Task Gateway_AskedToStopWhileWaitingForPostgres_ExitsWithCode0() =>
        await AskedToStopWhileWaiting_ExitsWithCode0(UnreachableWarning, cluster: false);

    /// <summary>
    /// The same for a cluster-mode gateway waiting for its first silo (the Orleans client retries until a
    /// silo is active). Its start is cancelled on another path than the database wait's: there a callback on
    /// the stopping token had not run yet when the cancelled start reached <c>Main</c>.
    /// </summary>
    [Fact]
    public async Task ClusterGateway_AskedToStopWhileWaitingForASilo_ExitsWithCode0()
    {
        await _postgres.StartAgainAsync();
        await AskedToStopWhileWaiting_ExitsWithCode0("Could not find any gateway", cluster: true);
    }

    /// <summary>
    /// Asked to stop while it waits (an orchestrator giving up, Ctrl+C): a stop that was asked for, not a
    /// failed start, so exit code 0 and a line that says so.
    /// </summary>
    private async Task AskedToStopWhileWaiting_ExitsWithCode0(string waiting, bool cluster)
    {
        GatewayProcess? process = null;
        var starting = StartAsync(waitSeconds: 120, started: p => process = p, cluster: cluster);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (process?.Output.Contains(waiting, StringComparison.Ordinal) != true)
        {
            Assert.False(starting.IsCompleted, $"the gateway answered, or stopped, before it was asked to:\n{process?.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"the gateway did not log '{waiting}':\n{process?.Output}");
            await Task.Delay(100);
        }

        process.Terminate();

        var failure = await Assert.ThrowsAsync<FailException>(() => starting);
        Assert.StartsWith("the gateway exited with code 0:", failure.Message, StringComparison.Ordinal);
        Assert.Contains("The gateway was asked to stop while it was starting, and stopped.", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("The gateway stopped:", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_PostgresNeverComes_StopsAfterTheWaitWithAClearMessage()
    {
        var failure = await Assert.ThrowsAsync<FailException>(() => StartAsync(waitSeconds: 3));

        Assert.Contains("the gateway exited", failure.Message, StringComparison.Ordinal);
        Assert.Contains("PostgreSql store was still unreachable after", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:StartupWaitSeconds = 3", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// In cluster mode the gateway (an Orleans client) first migrates the Orleans schema, before the
    /// ledger is touched: it waits for the database just as long, and says so as clearly.
    /// </summary>
    [Fact]
    public async Task ClusterGateway_PostgresNeverComes_StopsAfterTheWaitWithAClearMessage()
    {
        var failure = await Assert.ThrowsAsync<FailException>(() => StartAsync(waitSeconds: 3, cluster: true));

        Assert.Contains("the gateway exited", failure.Message, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL (the Orleans schema) was still unreachable after", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:StartupWaitSeconds = 3", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Two embedded gateways on one database would be two separate clusters: the second one's start fails
    /// while the first runs (exit code 1, a message that says why), and a new one starts once the first stopped.
    /// </summary>
    [Fact]
    public async Task SecondEmbeddedGateway_OnTheSameDatabase_ExitsWithCode1UntilTheFirstStops()
    {
        await _postgres.StartAgainAsync();
        var first = await StartAsync(waitSeconds: 30);

        var failure = await Assert.ThrowsAsync<FailException>(() => StartAsync(waitSeconds: 30));

        Assert.StartsWith("the gateway exited with code 1:", failure.Message, StringComparison.Ordinal);
        Assert.Contains(
            "Another process holds this database's embedded-mode lock (PostgreSQL advisory lock 5003064232328822788), or a cluster silo wrote its heartbeat to orleans_membership within 2 minutes: an embedded-mode silo or a cluster's silos already run on it.",
            failure.Message,
            StringComparison.Ordinal);
        var player = await first.Client.CreatePlayerAsync();
        first.Terminate();
        await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var next = await StartAsync(waitSeconds: 30);
        await next.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        Assert.Equal(100, Assert.Single(await next.Client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    /// <summary>
    /// A database restart drops the session, and the lock with it: the gateway takes it again once the
    /// database answers, keeps serving, and a second embedded gateway is still refused.
    /// </summary>
    [Fact]
    public async Task EmbeddedGateway_PostgresRestarted_TakesItsLockAgain()
    {
        await _postgres.StartAgainAsync();
        var first = await StartAsync(waitSeconds: 30, settings: new() { ["Logging:LogLevel:Entitlements.Hosting.EmbeddedSiloLock"] = "Information" });

        await _postgres.CrashAsync();
        await WaitForOutputAsync(first, "The connection holding the silos' lock 5003064232328822788 was lost");
        await _postgres.StartAgainAsync();
        await WaitForOutputAsync(first, "The silos' lock 5003064232328822788 is held again");

        var failure = await Assert.ThrowsAsync<FailException>(() => StartAsync(waitSeconds: 30));
        Assert.StartsWith("the gateway exited with code 1:", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Another process holds this database's embedded-mode lock", failure.Message, StringComparison.Ordinal);

        // The lock's own connection is back; the ledger's pool may still hand out a connection the crash
        // ended, which answers 503 once. The gateway serves again by itself, within the outage tests' bound.
        ApiResponse? last = null;
        await Poll.UntilAsync(
            async () => (last = await first.Client.SendAsync(HttpMethod.Put, $"/users/v1/platform-user?platform=Steam&platform_user_id={Unique.Name("steam")}&display_name=Tester")).Status == HttpStatusCode.Created,
            TimeSpan.FromSeconds(30),
            () => $"the gateway still answers {last} after PostgreSQL came back:\n{first.Output}",
            TimeSpan.FromMilliseconds(100));
        var player = await first.Client.CreatePlayerAsync();
        await first.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
    }

    /// <summary>
    /// When the lock's connection is gone and another process holds the lock by the time the gateway tries
    /// again, two embedded silos would share the database: the gateway stops, and says it failed (exit 1).
    /// </summary>
    [Fact]
    public async Task EmbeddedGateway_LockTakenWhileItsConnectionWasGone_StopsWithExitCode1()
    {
        await _postgres.StartAgainAsync();
        var first = await StartAsync(waitSeconds: 30);
        await using var admin = new NpgsqlConnection(_database);
        await admin.OpenAsync();

        await using var holder = await TakeTheLockFromItsHolderAsync(admin);
        await first.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, first.ExitCode);
        Assert.Contains("Another process took the silos' lock 5003064232328822788", first.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The standalone silo in embedded mode does the same: it stops, and says it failed (exit 1), so that a
    /// supervisor that restarts on failure sees one.
    /// </summary>
    [Fact]
    public async Task EmbeddedSilo_LockTakenWhileItsConnectionWasGone_StopsWithExitCode1()
    {
        await _postgres.StartAgainAsync();
        using var siloData = new TempDirectory();
        var silo = BuiltProcess.RunAsync(
            GatewayProcess.BuiltDll("Silo", "Silo.dll"),
            new Dictionary<string, string>
            {
                ["Orleans__SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Orleans__GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Dashboard__Enabled"] = "false",
                ["Storage__Provider"] = "PostgreSql",
                ["Storage__ConnectionString"] = _database,
                ["Storage__DataDirectory"] = siloData.Path,
                ["Storage__StartupWaitSeconds"] = "30",
            },
            []);
        await using var admin = new NpgsqlConnection(_database);
        await admin.OpenAsync();
        await Poll.UntilAsync(
            async () => silo.IsCompleted || await LockHoldersAsync(admin) == 1,
            TimeSpan.FromSeconds(60),
            "the silo did not take the embedded-mode lock",
            TimeSpan.FromMilliseconds(50));
        Assert.False(silo.IsCompleted, silo.IsCompleted ? (await silo).ToString() : null);

        await using var holder = await TakeTheLockFromItsHolderAsync(admin);
        var result = await silo;

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("Another process took the silos' lock 5003064232328822788", result.Output + result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A cluster-mode silo started on a database an embedded gateway runs on would be a second cluster on one
    /// ledger: it stops its start (exit code 1, a message that says why), and the embedded gateway serves on.
    /// </summary>
    [Fact]
    public async Task ClusterSilo_BesideAnEmbeddedGateway_ExitsWithCode1()
    {
        await _postgres.StartAgainAsync();
        var embedded = await StartAsync(waitSeconds: 30);
        using var siloData = new TempDirectory();

        var silo = await BuiltProcess.RunAsync(
            GatewayProcess.BuiltDll("Silo", "Silo.dll"),
            new Dictionary<string, string>
            {
                ["Orleans__Mode"] = "Cluster",
                ["Orleans__ClusterId"] = Unique.Name("cluster"),
                ["Orleans__AdvertisedIPAddress"] = "127.0.0.1",
                ["Orleans__SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Orleans__GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Storage__Provider"] = "PostgreSql",
                ["Storage__ConnectionString"] = _database,
                ["Storage__DataDirectory"] = siloData.Path,
            },
            []);

        Assert.True(silo.ExitCode == 1, silo.ToString());
        Assert.Contains(
            "An embedded-mode silo holds this database's lock (PostgreSQL advisory lock 5003064232328822788): a cluster-mode silo beside it would be a second, separate cluster",
            silo.Error,
            StringComparison.Ordinal);
        var player = await embedded.Client.CreatePlayerAsync();
        await embedded.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
    }

    /// <summary>
    /// After a database restart no session holds the lock: an embedded gateway started then must not take it
    /// before the cluster's silos take theirs again. It is refused while a cluster silo's heartbeat in the
    /// membership table is recent, and starts once the heartbeats are old (a cluster long gone).
    /// </summary>
    [Fact]
    public async Task EmbeddedGateway_AClusterSiloAliveInTheMembershipTable_ExitsWithCode1_AndStartsOnceItIsLongGone()
    {
        await _postgres.StartAgainAsync();
        await Entitlements.Storage.OrleansSchema.MigrateAsync(
            _database, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, new Entitlements.Storage.StorageOptions { StartupWaitSeconds = 10 }, CancellationToken.None);
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using (var silo = new NpgsqlCommand(
            """
            INSERT INTO orleans_membership_version (deployment_id) VALUES ('production');
            INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
            VALUES ('production', '10.0.0.7', 11111, 1, 'silo-1', 'host-1', 3, 30000, now() - interval '1 hour', now());
            """,
            connection))
        {
            await silo.ExecuteNonQueryAsync();
        }

        var failure = await Assert.ThrowsAsync<FailException>(() => StartAsync(waitSeconds: 30));

        Assert.StartsWith("the gateway exited with code 1:", failure.Message, StringComparison.Ordinal);
        Assert.Contains("or a cluster silo wrote its heartbeat to orleans_membership within 2 minutes", failure.Message, StringComparison.Ordinal);
        await using (var gone = new NpgsqlCommand("UPDATE orleans_membership SET i_am_alive_time = now() - interval '10 minutes';", connection))
        {
            await gone.ExecuteNonQueryAsync();
        }

        var started = await StartAsync(waitSeconds: 30);
        var player = await started.Client.CreatePlayerAsync();
        await started.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
    }

    /// <summary>
    /// A session of this test's takes the embedded-mode lock from the process holding it, and holds it until the
    /// caller disposes of the connection returned. It asks for the lock and waits in its queue; only then is
    /// the holder's session ended. PostgreSQL hands the lock to the waiting session as the ended one lets it
    /// go, so the holder's next try finds it taken, whenever its check runs.
    /// </summary>
    private async Task<NpgsqlConnection> TakeTheLockFromItsHolderAsync(NpgsqlConnection admin)
    {
        var other = new NpgsqlConnection(_database);
        await other.OpenAsync();

        await using var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key);", other);
        take.Parameters.AddWithValue("key", LockKey);
        var taking = take.ExecuteNonQueryAsync();
        await Poll.UntilAsync(
            async () => await LockWaitersAsync(admin) == 1,
            TimeSpan.FromSeconds(30),
            "this test's request for the lock is not waiting",
            TimeSpan.FromMilliseconds(20));
        await using (var end = new NpgsqlCommand(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND ((classid::bigint << 32) | objid::bigint) = @key;",
            admin))
        {
            end.Parameters.AddWithValue("key", LockKey);
            Assert.Equal(true, await end.ExecuteScalarAsync());
        }

        await taking;
        return other;
    }

    /// <summary>How many sessions hold the embedded-mode lock.</summary>
    private static async Task<long> LockHoldersAsync(NpgsqlConnection connection)
    {
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND ((classid::bigint << 32) | objid::bigint) = @key;",
            connection);
        count.Parameters.AddWithValue("key", LockKey);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>How many sessions wait for the embedded-mode lock.</summary>
    private static async Task<long> LockWaitersAsync(NpgsqlConnection connection)
    {
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND NOT granted AND ((classid::bigint << 32) | objid::bigint) = @key;",
            connection);
        count.Parameters.AddWithValue("key", LockKey);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static Task WaitForOutputAsync(GatewayProcess process, string text) => Poll.UntilAsync(
        () => process.Output.Contains(text, StringComparison.Ordinal),
        TimeSpan.FromSeconds(60),
        () => $"the gateway did not log '{text}':\n{process.Output}",
        TimeSpan.FromMilliseconds(100));

    private Task<GatewayProcess> StartAsync(
        int waitSeconds, Action<GatewayProcess>? started = null, bool cluster = false, Dictionary<string, string>? settings = null)
    {
        settings = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = _database,
            ["Storage:StartupWaitSeconds"] = waitSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Storage:StartupRetrySeconds"] = "1",
        };
        if (cluster)
        {
            settings["Orleans:Mode"] = "Cluster";
        }

        return GatewayProcess.StartAsync(_data.Path, settings: settings, started: p =>
        {
            // Disposed at the end even when the test fails while it is still starting.
            _processes.Add(p);
            started?.Invoke(p);
        });
    }
}
