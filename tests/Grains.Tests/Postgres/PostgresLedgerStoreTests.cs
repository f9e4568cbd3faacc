using System.Text.Json.Nodes;
using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Entitlements.Tests.Postgres;

/// <summary>
/// The store contract on PostgreSQL, each test on a database of its own (created for it, dropped after),
/// plus what only a shared database has to prove: the commit high-water mark and concurrent migration.
/// </summary>
[Collection(PostgresDefinition.Name)]
public sealed class PostgresLedgerStoreTests(PostgresServer server) : LedgerStoreContractTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly List<string> _databases = [];
    private readonly List<NpgsqlDataSource> _dataSources = [];
    private string _database = null!;

    public override async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }

        foreach (var database in _databases)
        {
            await server.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task ReadAsync_EarlierAppendNotYetCommitted_HandsOutNothingAfterIt()
    {
        var committed = StoredEvents.NotifyingGrant(Guid.NewGuid(), "tx-committed");
        await Store.AppendAsync(committed);
        // Another silo's store, stopped inside its append: sequence 2 is assigned, the commit has not happened.
        var holder = Open(_database);
        var inserted = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        holder.BeforeAppendCommit = async (_, sequence, _) =>
        {
            inserted.SetResult(sequence);
            await commit.Task;
        };
        var slow = StoredEvents.NotifyingGrant(Guid.NewGuid(), "tx-slow");
        var slowAppend = holder.AppendAsync(slow);
        var slowSequence = await inserted.Task.WaitAsync(Deadline);

        // A later writer must not get (and commit) sequence 3 while 2 is in flight: it waits for the ledger
        // lock. (Were it to commit instead, the reads below would hand out 3 before 2 and fail.)
        var fast = StoredEvents.NotifyingGrant(Guid.NewGuid(), "tx-fast");
        var fastAppend = Store.AppendAsync(fast);
        await WaitUntilAsync(async () => fastAppend.IsCompleted || await CountLedgerLockWaitersAsync() == 1);
        var listedWhileOpen = await Store.ReadAllEntitlementEventsAsync(1, 10);
        var feedWhileOpen = await Store.ReadNotifyingEventsAsync(null, 1, 10);
        var lastWhileOpen = await Store.ReadLastNotifyingSequenceAsync();
        var fastDoneWhileOpen = fastAppend.IsCompleted;

        commit.SetResult();
        var (slowOutcome, slowAppended) = await slowAppend.WaitAsync(Deadline);
        var (fastOutcome, fastAppended) = await fastAppend.WaitAsync(Deadline);
        var listed = await Store.ReadAllEntitlementEventsAsync(1, 10);
        var feed = await Store.ReadNotifyingEventsAsync(null, 1, 10);

        Assert.Equal(2, slowSequence);
        Assert.Empty(listedWhileOpen);
        Assert.Empty(feedWhileOpen);
        Assert.Equal(1, lastWhileOpen);
        Assert.False(fastDoneWhileOpen);
        Assert.Equal(AppendOutcome.Appended, slowOutcome);
        Assert.Equal(AppendOutcome.Appended, fastOutcome);
        Assert.Equal(2, slowAppended!.Sequence);
        Assert.Equal(3, fastAppended!.Sequence);
        Assert.Equal([(2L, slow.EventId), (3L, fast.EventId)], listed.Select(e => (e.Sequence, e.EventId)));
        Assert.Equal([(2L, slow.EventId), (3L, fast.EventId)], feed.Select(e => (e.Sequence, e.EventId)));
        Assert.Equal(3, await Store.ReadLastNotifyingSequenceAsync());
    }

    [Fact]
    public async Task AppendAsync_RolledBackAppend_LetsTheNextOneCommitWithoutSkippingAnything()
    {
        var holder = Open(_database);
        holder.BeforeAppendCommit = (_, _, _) => throw new TimeoutException("the silo died before the commit");
        var lost = StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-lost");

        await Assert.ThrowsAsync<TimeoutException>(() => holder.AppendAsync(lost));
        var (outcome, appended) = await Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-next"));
        var listed = await Store.ReadAllEntitlementEventsAsync(0, 10);

        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal([appended!.EventId], listed.Select(e => e.EventId));
        Assert.Empty(await Store.ReadTransactionAsync(Contracts.Platform.Steam, "tx-lost"));
    }

    [Fact]
    public async Task AppendAsync_BatchTransactionFails_FailsEveryAppendOfItAndWritesNothing()
    {
        var store = Open(_database);
        var release = HoldFirstBatch(store, out var held);
        var doomed = StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-doomed");
        store.BeforeAppendCommit = (e, _, _) => e.EventId == doomed.EventId ? throw new TimeoutException("the silo died before the commit") : Task.CompletedTask;
        var first = store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-first"));
        await held.WaitAsync(Deadline);

        var batch = new[] { StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-a"), doomed, StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-b") }
            .Select(e => store.AppendAsync(e))
            .ToList();
        release.SetResult();
        var (firstOutcome, _) = await first.WaitAsync(Deadline);
        var failures = new List<Exception>();
        foreach (var append in batch)
        {
            failures.Add(await Assert.ThrowsAsync<TimeoutException>(() => append.WaitAsync(Deadline)));
        }

        Assert.Equal(AppendOutcome.Appended, firstOutcome);
        Assert.All(failures, failure => Assert.Equal("the silo died before the commit", failure.Message));
        Assert.Equal(["tx-first"], (await Store.ReadAllEntitlementEventsAsync(0, 10)).Select(e => e.Entitlement!.PlatformTransactionId));
    }

    [Fact]
    public async Task AppendAsync_ServerRefusesOneAppendOfABatch_FailsOnlyThatOne()
    {
        var store = Open(_database);
        var release = HoldFirstBatch(store, out var held);
        var first = store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-first"));
        await held.WaitAsync(Deadline);

        // PostgreSQL text cannot hold a NUL character: the server refuses this row (SQLite would take it).
        var refused = StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-refused\0");
        var before = store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-before"));
        var refusedAppend = store.AppendAsync(refused);
        var after = store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-after"));
        release.SetResult();
        await first.WaitAsync(Deadline);
        var (beforeOutcome, _) = await before.WaitAsync(Deadline);
        var failure = await Assert.ThrowsAsync<PostgresException>(() => refusedAppend.WaitAsync(Deadline));
        var (afterOutcome, _) = await after.WaitAsync(Deadline);

        Assert.Equal(AppendOutcome.Appended, beforeOutcome);
        Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, failure.SqlState);
        Assert.Equal(AppendOutcome.Appended, afterOutcome);
        Assert.Equal(
            ["tx-first", "tx-before", "tx-after"],
            (await Store.ReadAllEntitlementEventsAsync(0, 10)).Select(e => e.Entitlement!.PlatformTransactionId));
    }

    [Fact]
    public async Task AppendAsync_OneAppendOfABatchFailsBeforeTheServerSeesIt_FailsOnlyThatOne()
    {
        var store = Open(_database);
        var release = HoldFirstBatch(store, out var held);
        var first = store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-first"));
        await held.WaitAsync(Deadline);

        // A lone surrogate has no UTF-8 form: Npgsql fails to encode this parameter before sending the batch.
        var unencodable = StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-unencodable\ud800");
        var before = store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-before"));
        var unencodableAppend = store.AppendAsync(unencodable);
        var after = store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-after"));
        release.SetResult();
        await first.WaitAsync(Deadline);
        var (beforeOutcome, beforeAppended) = await before.WaitAsync(Deadline);
        var failure = await Record.ExceptionAsync(() => unencodableAppend.WaitAsync(Deadline));
        var (afterOutcome, afterAppended) = await after.WaitAsync(Deadline);

        Assert.Equal(AppendOutcome.Appended, beforeOutcome);
        Assert.IsType<System.Text.EncoderFallbackException>(failure, exactMatch: false);
        Assert.Equal(AppendOutcome.Appended, afterOutcome);
        Assert.Equal((2L, 3L), (beforeAppended!.Sequence, afterAppended!.Sequence));
        Assert.Equal(
            ["tx-first", "tx-before", "tx-after"],
            (await Store.ReadAllEntitlementEventsAsync(0, 10)).Select(e => e.Entitlement!.PlatformTransactionId));
    }

    [Fact]
    public async Task InitializeAsync_VersionThreeDatabase_KeysTransactionsByTheirMd5AndStillFindsTheirEvents()
    {
        var grant = StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-before-v4");
        Assert.Equal(AppendOutcome.Appended, (await Store.AppendAsync(grant)).Outcome);
        await ExecuteAsync("""
            DROP INDEX ux_ledger_events_transaction;
            CREATE UNIQUE INDEX ux_ledger_events_transaction ON ledger_events (platform, platform_transaction_id, action_type) WHERE kind = 0;
            DELETE FROM schema_version WHERE version >= 4;
            """ + BackToVersionNine + BackToVersionEight + BackToVersionSeven + BackToVersionFour);
        Assert.Equal("3/3", await ReadSchemaVersionsAsync());
        var upgraded = Open(_database);

        await upgraded.InitializeAsync();

        Assert.Equal("10/10", await ReadSchemaVersionsAsync());
        Assert.Equal(
            ["CREATE UNIQUE INDEX ux_ledger_events_transaction ON public.ledger_events USING btree (platform, md5(platform_transaction_id), action_type) WHERE (kind = 0)"],
            await ReadIndexDefinitionsAsync("%_transaction%"));
        Assert.Equal([grant.EventId], (await upgraded.ReadTransactionAsync(Platform.Steam, "tx-before-v4")).Select(e => e.EventId));
        var (duplicate, _) = await upgraded.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-before-v4"));
        Assert.Equal(AppendOutcome.DuplicateKey, duplicate);
    }

    [Fact]
    public async Task InitializeAsync_VersionFourDatabase_KeysPlatformUsersAndSkusByTheirMd5AndStillFindsThem()
    {
        var link = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-before-v5", "Before", null, DateTimeOffset.UnixEpoch);
        var sku = await Store.WriteCatalogSkuAsync(new CatalogSku { Platform = Platform.Steam, Sku = "sku-before-v5", EntitlementType = EntitlementType.Durable, ItemId = "item", ItemName = "Item" });
        await ExecuteAsync(BackToVersionNine + BackToVersionEight + BackToVersionSeven + BackToVersionFour + "DELETE FROM schema_version WHERE version >= 5;");
        Assert.Equal("4/4", await ReadSchemaVersionsAsync());
        var upgraded = Open(_database);

        await upgraded.InitializeAsync();

        Assert.Equal("10/10", await ReadSchemaVersionsAsync());
        Assert.Equal(
            [
                "catalog_skus: CREATE INDEX ix_catalog_skus_product ON public.catalog_skus USING btree (platform, md5(platform_product_id)) WHERE (platform_product_id IS NOT NULL)",
                "catalog_skus: CREATE UNIQUE INDEX ux_catalog_skus_sku ON public.catalog_skus USING btree (platform, md5(sku))",
                "platform_users: CREATE UNIQUE INDEX ux_platform_users_id ON public.platform_users USING btree (platform, md5(platform_user_id))",
            ],
            await ReadTableIndexDefinitionsAsync("catalog_skus", "platform_users"));
        Assert.Equal(link.Link, await upgraded.ReadPlatformUserAsync(Platform.Steam, "steam-before-v5"));
        var relinked = await upgraded.LinkPlatformUserAsync(Platform.Steam, "steam-before-v5", "After", null, DateTimeOffset.UnixEpoch);
        Assert.Equal((false, link.Link with { DisplayName = "After" }), (relinked.Created, relinked.Link));
        Assert.Equal(2, (await upgraded.WriteCatalogSkuAsync(sku with { ItemName = "Revised" })).Revision);
        Assert.Equal("Revised", (await upgraded.ReadCatalogSkuAsync(Platform.Steam, "sku-before-v5"))!.ItemName);
        Assert.Equal(0, await upgraded.SeedCatalogAsync([sku]));
    }

    [Fact]
    public async Task InitializeAsync_SeveralSilosStartingTogether_MigrateOnce()
    {
        var database = await CreateDatabaseAsync();
        var silos = Enumerable.Range(0, 4).Select(_ => Open(database)).ToList();

        await Task.WhenAll(silos.Select(silo => silo.InitializeAsync()));
        var (outcome, _) = await silos[3].AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-1"));

        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal("10/10", await ReadSchemaVersionsAsync(database));
    }

    [Fact]
    public async Task ReadNotifyingEventsAsync_PlayerResumingFromAnotherPlayersPosition_VisitsTheSameRowsWhateverTheirHistory()
    {
        var (few, many, other) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await AppendGrantsAsync(few, 3);
        await AppendGrantsAsync(many, 200);
        var (_, head) = await Store.AppendAsync(StoredEvents.NotifyingGrant(other, "tx-other"));

        // A silent connection's cursor is the feed's head, here another player's event: finding that nothing
        // follows it for the player must not walk the player's history.
        var fewRows = await FeedRowsVisitedAsync(few, head!.Sequence);
        var manyRows = await FeedRowsVisitedAsync(many, head.Sequence);

        Assert.Equal(fewRows, manyRows);
        Assert.Empty(await Store.ReadNotifyingEventsAsync(many, head.Sequence, 10));
    }

    [Fact]
    public async Task ReadPendingXboxConsumesAsync_XuidWithManyFinishedConsumes_VisitsTheSameRowsAsOneWithNone()
    {
        await SeedXboxConsumeHistoryAsync();

        // The read must not visit the XUID's finished consumes.
        var freshRows = await PendingXboxConsumeRowsVisitedAsync(FreshXuid);
        var seasonedRows = await PendingXboxConsumeRowsVisitedAsync(SeasonedXuid);

        Assert.Equal(freshRows, seasonedRows);
        Assert.Equal(["tracking-seasoned"], (await Store.ReadPendingXboxConsumesAsync(SeasonedXuid)).Select(p => p.Consume.TrackingId));
    }

    [Fact]
    public async Task ReadCatalogSkuByProductIdAsync_FiveHundredOtherXboxSkus_VisitsTheSameRowsAsWithOne()
    {
        var target = await WriteLookupTargetAsync();
        await SeedOtherXboxSkusAsync(1, 1);
        var withOne = await CatalogSkuByProductIdRowsVisitedAsync("9PRODUCT0250");
        await SeedOtherXboxSkusAsync(2, 499);

        // The lookup must not cast, nor visit, the platform's other entries.
        var withFiveHundred = await CatalogSkuByProductIdRowsVisitedAsync("9PRODUCT0250");

        Assert.Equal(withOne, withFiveHundred);
        Assert.Equal(target.Sku, (await Store.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCT0250"))?.Sku);
    }

    /// <summary>
    /// The rows the store's lookup of an XboxLive product's catalog entry visits, by <c>EXPLAIN ANALYZE</c> on
    /// fresh statistics with sequential and bitmap scans off.
    /// </summary>
    private Task<long> CatalogSkuByProductIdRowsVisitedAsync(string productId) => RowsVisitedAsync(
        "ANALYZE; SET enable_seqscan = off; SET enable_bitmapscan = off;",
        PostgresLedgerStore.CatalogSkuByProductIdQuery,
        new NpgsqlParameter("platform", NpgsqlDbType.Text) { Value = nameof(Platform.XboxLive) },
        new NpgsqlParameter("product", NpgsqlDbType.Text) { Value = productId });

    /// <summary>
    /// The rows the store's read of the XUID's pending consumes visits, by <c>EXPLAIN ANALYZE</c> on fresh
    /// statistics with sequential and bitmap scans off (so that it reads by its keys, as on a ledger too large to
    /// read whole): every scan's rows, kept or filtered out, times its loops.
    /// </summary>
    private Task<long> PendingXboxConsumeRowsVisitedAsync(string xuid) => RowsVisitedAsync(
        "ANALYZE; SET enable_seqscan = off; SET enable_bitmapscan = off;",
        PostgresLedgerStore.PendingXboxConsumesQuery,
        new NpgsqlParameter("x", NpgsqlDbType.Text) { Value = xuid });

    protected override string EngineName => "postgresql";

    protected override Task<ILedgerStore> OpenAsync() => Task.FromResult<ILedgerStore>(Open(_database));

    protected override async Task<ILedgerStore> OpenOtherDatabaseAsync() => Open(await CreateDatabaseAsync());

    // The data source is the test's (disposed when it ends); the store only commits what it still holds.
    protected override ValueTask CloseAsync(ILedgerStore store) => ((PostgresLedgerStore)store).DisposeAsync();

    protected override Task<string> ReadSchemaVersionsAsync() => ReadSchemaVersionsAsync(_database);

    /// <summary>Append <paramref name="count"/> notifying grants of <paramref name="player"/>, versions 1 to <paramref name="count"/>.</summary>
    private async Task AppendGrantsAsync(Guid player, int count)
    {
        for (var version = 1; version <= count; version++)
        {
            var (outcome, _) = await Store.AppendAsync(StoredEvents.NotifyingGrant(player, $"tx-{player:N}-{version}") with { Version = version });
            Assert.Equal(AppendOutcome.Appended, outcome);
        }
    }

    /// <summary>
    /// The rows the player's feed read after <paramref name="after"/> (the store's own WHERE clause) visits, by
    /// <c>EXPLAIN ANALYZE</c> on fresh statistics, with sequential scans, bitmap scans and sorts off (so that the
    /// read walks the player's version key, as it does on a ledger too large to read whole): every scan's rows,
    /// kept or filtered out, times its loops.
    /// </summary>
    private Task<long> FeedRowsVisitedAsync(Guid player, long after) => RowsVisitedAsync(
        "ANALYZE ledger_events; SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off;",
        "SELECT seq FROM ledger_events " + PostgresLedgerStore.PlayerFeedWhere,
        new NpgsqlParameter("p", NpgsqlDbType.Uuid) { Value = player },
        new NpgsqlParameter("after", NpgsqlDbType.Bigint) { Value = after },
        new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = 10 });

    /// <summary>
    /// The rows <paramref name="query"/> visits, by <c>EXPLAIN ANALYZE</c> after <paramref name="settings"/> (fresh
    /// statistics, and the plans switched off that would read the table whole): every scan's rows, kept or
    /// filtered out, times its loops.
    /// </summary>
    private async Task<long> RowsVisitedAsync(string settings, string query, params NpgsqlParameter[] parameters)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using (var set = new NpgsqlCommand(settings, connection))
        {
            await set.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, FORMAT JSON) " + query, connection);
        command.Parameters.AddRange(parameters);
        var plan = JsonNode.Parse((string)(await command.ExecuteScalarAsync())!)!;
        return Visited(plan[0]!["Plan"]!);

        static long Visited(JsonNode node)
        {
            var loops = node["Actual Loops"]!.GetValue<long>();
            var rows = node["Actual Rows"]!.GetValue<long>() + (node["Rows Removed by Filter"]?.GetValue<long>() ?? 0);
            var scan = node["Node Type"]!.GetValue<string>().Contains("Scan", StringComparison.Ordinal) ? rows * loops : 0;
            return scan + (node["Plans"]?.AsArray().Sum(child => Visited(child!)) ?? 0);
        }
    }

    private static async Task<string> ReadSchemaVersionsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) || '/' || MAX(version) FROM schema_version;", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    protected override IReadOnlyList<string> KeyIndexes => ["ledger_events_event_id_key", "ledger_events_pkey"];

    protected override async Task<IReadOnlyList<string>> ReadIndexesAsync(string table)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = @table;", connection);
        command.Parameters.AddWithValue("table", table);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return [.. names.Order(StringComparer.Ordinal)];
    }

    protected override string BackToVersionNine => """
        DROP TRIGGER tr_ledger_events_xbox_consume_refused ON ledger_events;
        DROP FUNCTION xbox_consume_refused();
        DELETE FROM schema_version WHERE version >= 10;
        """;

    protected override string BackToVersionSeven => """
        DROP TRIGGER tr_ledger_events_xbox_consume_started ON ledger_events;
        DROP TRIGGER tr_ledger_events_xbox_consume_granted ON ledger_events;
        DROP FUNCTION xbox_consume_started();
        DROP FUNCTION xbox_consume_granted();
        DROP TABLE xbox_pending_consumes;
        CREATE INDEX ix_ledger_events_xuid_xbox_consumes ON ledger_events (md5(platform_user_id)) WHERE kind = 2;
        DELETE FROM schema_version WHERE version >= 8;
        """;

    /// <summary>Version 4's keys of <c>platform_users</c> and <c>catalog_skus</c> (the text itself), and its index of started Xbox consumes (by player).</summary>
    private const string BackToVersionFour = """
        DROP INDEX ix_ledger_events_xuid_xbox_consumes;
        CREATE INDEX ix_ledger_events_player_xbox_consumes ON ledger_events (player_uuid, version) WHERE kind = 2;
        DROP INDEX ux_platform_users_id;
        ALTER TABLE platform_users ADD PRIMARY KEY (platform, platform_user_id);
        DROP INDEX ux_catalog_skus_sku;
        ALTER TABLE catalog_skus ADD PRIMARY KEY (platform, sku);
        """;

    /// <summary>"table: definition" of every index of <paramref name="tables"/>, sorted.</summary>
    private Task<IReadOnlyList<string>> ReadTableIndexDefinitionsAsync(params string[] tables) => ReadTextsAsync(
        "SELECT tablename || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(@value) ORDER BY tablename, indexname;", tables);

    /// <summary>The definitions of this test database's ledger indexes whose names are like <paramref name="pattern"/>, sorted.</summary>
    private Task<IReadOnlyList<string>> ReadIndexDefinitionsAsync(string pattern) => ReadTextsAsync(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'ledger_events' AND indexname LIKE @value ORDER BY indexname;", pattern);

    /// <summary>The one text column of <paramref name="sql"/>'s rows, which takes one parameter, <c>@value</c>.</summary>
    private async Task<IReadOnlyList<string>> ReadTextsAsync(string sql, object value)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("value", value);
        await using var reader = await command.ExecuteReaderAsync();
        var texts = new List<string>();
        while (await reader.ReadAsync())
        {
            texts.Add(reader.GetString(0));
        }

        return texts;
    }

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Sessions of this test's database waiting for the ledger's advisory lock.</summary>
    private async Task<long> CountLedgerLockWaitersAsync()
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT COUNT(*) FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND ((classid::bigint << 32) | objid::bigint) = @key;
            """, connection);
        command.Parameters.AddWithValue("key", PostgresLedgerStore.LedgerLock);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> CreateDatabaseAsync()
    {
        var database = await server.CreateDatabaseAsync();
        _databases.Add(database);
        return database;
    }

    private PostgresLedgerStore Open(string database)
    {
        var dataSource = NpgsqlDataSource.Create(database);
        _dataSources.Add(dataSource);
        return new PostgresLedgerStore(dataSource, NullLogger<PostgresLedgerStore>.Instance);
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition) =>
        Poll.UntilAsync(condition, Deadline, $"The condition did not hold within {Deadline}.");
}
