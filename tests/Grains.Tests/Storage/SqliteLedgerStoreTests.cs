using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SQLitePCL;

namespace Entitlements.Tests.Storage;

/// <summary>The store contract on SQLite, each test on a database file in a fresh temp directory.</summary>
public sealed class SqliteLedgerStoreTests : LedgerStoreContractTests, IDisposable
{
    private const int SqliteConstraintNotNull = 1299;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset LinkTime = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();
    private readonly List<TempDirectory> _otherDirectories = [];
    private readonly List<SqliteLedgerStore> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _directory.Dispose();
        foreach (var directory in _otherDirectories)
        {
            directory.Dispose();
        }
    }

    [Fact]
    public async Task InitializeAsync_NewDatabase_UsesWriteAheadLog()
    {
        await Store.InitializeAsync();

        using var connection = new SqliteConnection($"Data Source={DatabaseFile(_directory)}");
        connection.Open();
        using var journal = connection.CreateCommand();
        journal.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", (string?)journal.ExecuteScalar());
    }

    /// <summary>
    /// A player id past 2147483647, which RallyHere's clients cannot read, is never issued: the link that would draw
    /// it is refused in its transaction, creating neither the player nor the link; the last id is still issued.
    /// </summary>
    [Fact]
    public async Task LinkPlatformUserAsync_PastTheLastInt32PlayerId_CreatesNothing()
    {
        await Store.InitializeAsync();
        var first = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-a", null, null, LinkTime);
        using (var connection = new SqliteConnection($"Data Source={DatabaseFile(_directory)};Pooling=False"))
        {
            connection.Open();
            using var jump = connection.CreateCommand();
            jump.CommandText = "UPDATE sqlite_sequence SET seq = 2147483646 WHERE name = 'players';";
            Assert.Equal(1, jump.ExecuteNonQuery());
        }

        var last = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-b", null, null, LinkTime);
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.LinkPlatformUserAsync(Platform.Steam, "steam-c", null, null, LinkTime));

        Assert.Equal((1L, 2147483647L), (first.Link.PlayerId, last.Link.PlayerId));
        Assert.Equal("Player ids are used up: the next is 2147483648, past 2147483647, the most RallyHere's clients read. No player was created.", refusal.Message);
        Assert.Null(await Store.ReadPlatformUserAsync(Platform.Steam, "steam-c"));
        Assert.Null(await Store.ReadPlayerByIdAsync(2147483648));
    }

    /// <summary>
    /// An older schema is copied, as it is, into the backup directory before it is migrated, and each step is
    /// logged as on PostgreSQL. Before, the migration was silent and nothing was copied.
    /// </summary>
    [Fact]
    public async Task InitializeAsync_OlderSchema_CopiesTheDatabaseAsItWasFirstThenLogsEachStep()
    {
        var player = Guid.NewGuid();
        for (var version = 1; version <= 3; version++)
        {
            Assert.Equal(AppendOutcome.Appended, (await Store.AppendAsync(StoredEvents.Entitlement(player, version, $"tx-{version}"))).Outcome);
        }

        await CloseAsync(Store);
        await ExecuteAsync(BackToVersionNine + BackToVersionEight);
        var log = new LogCapture();
        using var loggers = new LoggerFactory([log]);
        var upgraded = Open(new StorageOptions { DataDirectory = _directory.Path }, loggers.CreateLogger<SqliteLedgerStore>());

        await upgraded.InitializeAsync();

        var backups = Path.Combine(_directory.Path, "backups");
        var copy = Assert.Single(Directory.GetFiles(backups));
        Assert.Matches(@"^entitlements-pre-v8-\d{8}T\d{9}Z\.db$", Path.GetFileName(copy));
        Assert.Equal(("8/8", 3L), ReadCopy(copy));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(copy));
        Assert.Empty(LedgerBackups.List(backups)); // not an ordinary backup: Storage:BackupsKept never deletes it
        Assert.Equal("10/10", await ReadSchemaVersionsAsync());
        Assert.Equal(
            [
                $"Copied the SQLite database to {copy} before migrating its schema from version 8",
                "SQLite ledger schema migrated to version 9",
                "SQLite ledger schema migrated to version 10",
            ],
            log.Entries.Where(e => e.Category == typeof(SqliteLedgerStore).FullName).Select(e => e.Message));
        Assert.All(log.Entries, e => Assert.Equal(LogLevel.Information, e.Level));
    }

    /// <summary>A new database, and one of this build's schema, are not copied (the base class initialized it twice).</summary>
    [Fact]
    public async Task InitializeAsync_NewOrCurrentDatabase_CopiesNothing()
    {
        await Store.InitializeAsync();

        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "backups")));
    }

    /// <summary>When the copy cannot be made the start stops, naming where it went and why, and nothing is migrated.</summary>
    [Fact]
    public async Task InitializeAsync_OlderSchemaThatCannotBeCopied_StopsWithoutMigrating()
    {
        await CloseAsync(Store);
        await ExecuteAsync(BackToVersionNine + BackToVersionEight);
        var blocker = Path.Combine(_directory.Path, "not-a-directory");
        File.WriteAllText(blocker, "a file where the backup directory would go");
        var upgraded = Open(new StorageOptions { DataDirectory = _directory.Path, BackupDirectory = Path.Combine(blocker, "backups") });

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => upgraded.InitializeAsync());

        Assert.StartsWith($"Could not copy the SQLite database to {Path.Combine(blocker, "backups", "entitlements-pre-v8-")}", refused.Message, StringComparison.Ordinal);
        Assert.Contains(" before migrating its schema from version 8 to 10: ", refused.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<IOException>(refused.InnerException);
        Assert.Equal("8/8", await ReadSchemaVersionsAsync());
    }

    [Fact]
    public async Task InitializeAsync_OlderSchemaWithBackupBeforeUpgradeOff_MigratesWithoutACopy()
    {
        await CloseAsync(Store);
        await ExecuteAsync(BackToVersionNine + BackToVersionEight);
        var upgraded = Open(new StorageOptions { DataDirectory = _directory.Path, BackupBeforeUpgrade = false });

        await upgraded.InitializeAsync();

        Assert.Equal("10/10", await ReadSchemaVersionsAsync());
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "backups")));
    }

    [Fact]
    public async Task ReadNotifyingEventsAsync_PlayerResumingFromAnotherPlayersPosition_CostsTheSameWhateverTheirHistory()
    {
        // In this order in the player key, so that each player's keys have another's after them: the two
        // reads then take the same steps to the same place.
        var players = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() }.OrderBy(p => p.ToString("D"), StringComparer.Ordinal).ToArray();
        var (few, many, other) = (players[0], players[1], players[2]);
        await AppendGrantsAsync(few, 3);
        await AppendGrantsAsync(many, 200);
        var (_, head) = await Store.AppendAsync(StoredEvents.NotifyingGrant(other, "tx-other"));

        // A silent connection's cursor is the feed's head, here another player's event: what follows it for
        // each player is nothing, and finding that out must not walk the player's history.
        var fewSteps = FeedSteps(few, head!.Sequence);
        var manySteps = FeedSteps(many, head.Sequence);
        var (_, next) = await Store.AppendAsync(StoredEvents.NotifyingGrant(many, "tx-next") with { Version = 201 });
        var afterHead = await Store.ReadNotifyingEventsAsync(many, head.Sequence, 10);

        Assert.Equal(fewSteps, manySteps);
        Assert.Equal([next!.Sequence], afterHead.Select(e => e.Sequence));
    }

    [Fact]
    public async Task ReadPendingXboxConsumesAsync_XuidWithManyFinishedConsumes_CostsTheSameAsOneWithNone()
    {
        await SeedXboxConsumeHistoryAsync();

        // The read must not walk the XUID's finished consumes.
        var freshSteps = PendingXboxConsumeSteps(FreshXuid, 1);
        var seasonedSteps = PendingXboxConsumeSteps(SeasonedXuid, 1);

        Assert.Equal(freshSteps, seasonedSteps);
        Assert.Equal(["tracking-seasoned"], (await Store.ReadPendingXboxConsumesAsync(SeasonedXuid)).Select(p => p.Consume.TrackingId));
    }

    [Fact]
    public async Task ReadCatalogSkuByProductIdAsync_FiveHundredOtherXboxSkus_CostsTheSameAsOne()
    {
        var target = await WriteLookupTargetAsync();
        await SeedOtherXboxSkusAsync(1, 1);
        var withOne = CatalogSkuByProductIdSteps("9PRODUCT0250");
        await SeedOtherXboxSkusAsync(2, 499);

        // The lookup must not parse, nor walk, the platform's other entries.
        var withFiveHundred = CatalogSkuByProductIdSteps("9PRODUCT0250");

        Assert.Equal(withOne, withFiveHundred);
        Assert.Equal(target.Sku, (await Store.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCT0250"))?.Sku);
    }

    /// <summary>
    /// The virtual machine steps SQLite takes to run the store's lookup of an XboxLive product's catalog entry to
    /// its end, which must find one: a count that grows with every entry the read visits or parses.
    /// </summary>
    private int CatalogSkuByProductIdSteps(string productId)
    {
        using var connection = new SqliteConnection($"Data Source={DatabaseFile(_directory)};Mode=ReadOnly");
        connection.Open();
        Assert.Equal(raw.SQLITE_OK, raw.sqlite3_prepare_v2(connection.Handle, SqliteLedgerStore.CatalogSkuByProductIdQuery, out sqlite3_stmt statement));
        using (statement)
        {
            Assert.Equal(raw.SQLITE_OK, raw.sqlite3_bind_text(statement, raw.sqlite3_bind_parameter_index(statement, "$platform"), nameof(Platform.XboxLive)));
            Assert.Equal(raw.SQLITE_OK, raw.sqlite3_bind_text(statement, raw.sqlite3_bind_parameter_index(statement, "$product"), productId));
            var rows = 0;
            while (raw.sqlite3_step(statement) == raw.SQLITE_ROW)
            {
                rows++;
            }

            Assert.Equal(1, rows);
            return raw.sqlite3_stmt_status(statement, raw.SQLITE_STMTSTATUS_VM_STEP, 0);
        }
    }

    /// <summary>
    /// The virtual machine steps SQLite takes to run the store's read of the XUID's pending consumes to its end,
    /// which must find <paramref name="expectedRows"/> rows: a count that grows with every row the read visits.
    /// </summary>
    private int PendingXboxConsumeSteps(string xuid, int expectedRows)
    {
        using var connection = new SqliteConnection($"Data Source={DatabaseFile(_directory)};Mode=ReadOnly");
        connection.Open();
        Assert.Equal(raw.SQLITE_OK, raw.sqlite3_prepare_v2(connection.Handle, SqliteLedgerStore.PendingXboxConsumesQuery, out sqlite3_stmt statement));
        using (statement)
        {
            Assert.Equal(raw.SQLITE_OK, raw.sqlite3_bind_text(statement, raw.sqlite3_bind_parameter_index(statement, "$x"), xuid));
            var rows = 0;
            while (raw.sqlite3_step(statement) == raw.SQLITE_ROW)
            {
                rows++;
            }

            Assert.Equal(expectedRows, rows);
            return raw.sqlite3_stmt_status(statement, raw.SQLITE_STMTSTATUS_VM_STEP, 0);
        }
    }

    [Fact]
    public async Task Writer_FirstWrite_SynchronizesFully() =>
        Assert.Equal(2L, await ReadWriterPragmaAsync("synchronous")); // FULL

    [Fact]
    public async Task Writer_FirstWrite_CheckpointsEvery4000Pages() =>
        Assert.Equal(4000L, await ReadWriterPragmaAsync("wal_autocheckpoint"));

    /// <summary>A setting of the store's own writer connection (not of a connection of the test), read inside its first write.</summary>
    private async Task<long?> ReadWriterPragmaAsync(string name)
    {
        var store = (SqliteLedgerStore)Store;
        long? value = null;
        store.TestHookWriting = writer =>
        {
            using var pragma = writer.CreateCommand();
            pragma.CommandText = $"PRAGMA {name};";
            value = (long?)pragma.ExecuteScalar();
        };

        await store.InitializeAsync();
        return value;
    }

    [Fact]
    public void Constructor_FirstSqliteUseOfTheProcess_LeavesSqliteInMultiThreadMode()
    {
        // This test's store was made before any connection of this process opened (nothing in these
        // tests opens SQLite before a store), so SQLite took the settings.
        Assert.True(SqliteEngine.MultiThreaded);
    }

    [Fact]
    public async Task AppendAsync_SqliteRefusesOneAppendOfABatchForAnotherReasonThanAKey_FailsOnlyThatOne()
    {
        var release = HoldFirstBatch(Store, out var held);
        var first = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-first"));
        await held.WaitAsync(Deadline);

        // A row without an event id breaks a NOT NULL constraint: a constraint failure, but no key taken
        // (it used to be answered as a duplicate, which the player grain decided again and again).
        var refused = StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-refused") with { EventId = null! };
        var before = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-before"));
        var refusedAppend = Store.AppendAsync(refused);
        var after = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-after"));
        release.SetResult();
        await first.WaitAsync(Deadline);
        var (beforeOutcome, _) = await before.WaitAsync(Deadline);
        var failure = await Assert.ThrowsAsync<SqliteException>(() => refusedAppend.WaitAsync(Deadline));
        var (afterOutcome, _) = await after.WaitAsync(Deadline);

        Assert.Equal(AppendOutcome.Appended, beforeOutcome);
        Assert.Equal(SqliteConstraintNotNull, failure.SqliteExtendedErrorCode);
        Assert.Equal(AppendOutcome.Appended, afterOutcome);
        Assert.Equal(
            ["tx-first", "tx-before", "tx-after"],
            (await Store.ReadAllEntitlementEventsAsync(0, 10)).Select(e => e.Entitlement!.PlatformTransactionId));
    }

    [Fact]
    public async Task Dispose_WhileASnapshotWriteRunsLongerThanItWaits_LeavesTheWriterToThatWriteAndRefusesLaterWrites()
    {
        var store = (SqliteLedgerStore)Store;
        var player = Guid.NewGuid();
        var closedDuringWrite = false;
        // Closed from inside the write, which holds the write lock: the close cannot get it, whatever the timing.
        store.CloseWait = TimeSpan.FromMilliseconds(100);
        store.TestHookWriting = _ =>
        {
            store.TestHookWriting = null;
            store.Dispose();
            closedDuringWrite = true;
        };

        await store.WriteSnapshotAsync(new LedgerSnapshot(player, new LedgerState { Version = 4 }));
        var afterClose = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.WriteSnapshotAsync(new LedgerSnapshot(player, new LedgerState { Version = 5 })));
        var reopened = Open(_directory);

        Assert.True(closedDuringWrite);
        Assert.True(afterClose.IsTransient);
        Assert.Equal(4, (await reopened.ReadSnapshotAsync(player))!.State.Version);
    }

    protected override string EngineName => "sqlite";

    protected override Task<ILedgerStore> OpenAsync() => Task.FromResult<ILedgerStore>(Open(_directory));

    protected override Task<ILedgerStore> OpenOtherDatabaseAsync()
    {
        var directory = new TempDirectory();
        _otherDirectories.Add(directory);
        return Task.FromResult<ILedgerStore>(Open(directory));
    }

    protected override ValueTask CloseAsync(ILedgerStore store)
    {
        var sqlite = (SqliteLedgerStore)store;
        sqlite.Dispose();
        _stores.Remove(sqlite);
        return ValueTask.CompletedTask;
    }

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
    /// The virtual machine steps SQLite takes to run the player's feed read after <paramref name="after"/> to its
    /// end (the store's own WHERE clause): a count that grows with every index entry the read visits.
    /// </summary>
    private int FeedSteps(Guid player, long after)
    {
        using var connection = new SqliteConnection($"Data Source={DatabaseFile(_directory)};Mode=ReadOnly");
        connection.Open();
        Assert.Equal(raw.SQLITE_OK, raw.sqlite3_prepare_v2(connection.Handle, "SELECT seq FROM ledger_events " + SqliteLedgerStore.PlayerFeedWhere, out sqlite3_stmt statement));
        using (statement)
        {
            Assert.Equal(raw.SQLITE_OK, raw.sqlite3_bind_text(statement, raw.sqlite3_bind_parameter_index(statement, "$p"), player.ToString("D")));
            Assert.Equal(raw.SQLITE_OK, raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "$after"), after));
            Assert.Equal(raw.SQLITE_OK, raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "$limit"), 10));
            var rows = 0;
            while (raw.sqlite3_step(statement) == raw.SQLITE_ROW)
            {
                rows++;
            }

            Assert.Equal(0, rows);
            return raw.sqlite3_stmt_status(statement, raw.SQLITE_STMTSTATUS_VM_STEP, 0);
        }
    }

    protected override Task<string> ReadSchemaVersionsAsync()
    {
        using var connection = new SqliteConnection($"Data Source={DatabaseFile(_directory)}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) || '/' || MAX(version) FROM schema_version;";
        return Task.FromResult((string)command.ExecuteScalar()!);
    }

    protected override IReadOnlyList<string> KeyIndexes => ["sqlite_autoindex_ledger_events_1"];

    protected override string BackToVersionNine => """
        DROP TRIGGER tr_ledger_events_xbox_consume_refused;
        DELETE FROM schema_version WHERE version >= 10;
        """;

    protected override string BackToVersionSeven => """
        DROP TRIGGER tr_ledger_events_xbox_consume_started;
        DROP TRIGGER tr_ledger_events_xbox_consume_granted;
        DROP TABLE xbox_pending_consumes;
        CREATE INDEX ix_ledger_events_xuid_xbox_consumes ON ledger_events (platform_user_id) WHERE kind = 2;
        DELETE FROM schema_version WHERE version >= 8;
        """;

    protected override Task<IReadOnlyList<string>> ReadIndexesAsync(string table)
    {
        using var connection = new SqliteConnection($"Data Source={DatabaseFile(_directory)}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $table;";
        command.Parameters.AddWithValue("$table", table);
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return Task.FromResult<IReadOnlyList<string>>([.. names.Order(StringComparer.Ordinal)]);
    }

    protected override Task ExecuteAsync(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabaseFile(_directory)}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    private static string DatabaseFile(TempDirectory directory) => Path.Combine(directory.Path, "entitlements.db");

    /// <summary>The schema versions (count/newest) and the ledger rows of a copy of the database.</summary>
    private static (string Versions, long Rows) ReadCopy(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) || '/' || MAX(version) FROM schema_version), (SELECT COUNT(*) FROM ledger_events);";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.GetString(0), reader.GetInt64(1));
    }

    private SqliteLedgerStore Open(TempDirectory directory) => Open(new StorageOptions { DataDirectory = directory.Path });

    private SqliteLedgerStore Open(StorageOptions options, ILogger<SqliteLedgerStore>? logger = null)
    {
        var store = new SqliteLedgerStore(Options.Create(options), logger: logger);
        _stores.Add(store);
        return store;
    }
}
