using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using Entitlements.Contracts;
using Entitlements.Diagnostics;
using Entitlements.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Entitlements.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with full fsync on commit. Writes go through one
/// connection, one at a time (SQLite has a single writer anyway); reads use pooled connections and
/// see committed data only. Microsoft.Data.Sqlite runs synchronously, so every call is moved off the
/// caller's thread (an Orleans scheduler thread must never block on disk). Appends are group-committed
/// (<see cref="LedgerGroupCommit"/>): the appends that queue up while one transaction commits share
/// the next transaction and its one fsync.
/// </summary>
public sealed partial class SqliteLedgerStore : ILedgerStore, IGroupCommittingStore, IDisposable
{
    private const int SchemaVersion = 10;
    // SQLITE_CONSTRAINT_UNIQUE: a row would repeat a unique index's key (not a NOT NULL, CHECK, trigger or foreign key refusal).
    private const int SqliteConstraintUnique = 2067;

    private readonly string _connectionString;
    private readonly StorageOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly LedgerMetrics? _ownMetrics;
    private readonly LedgerGroupCommit _appends;
    private SqliteConnection? _writer;
    private volatile bool _closed;

    /// <summary>
    /// How many pages the WAL may hold before the writer copies them into the database file (SQLite's
    /// default is 1,000). The checkpoint runs on the writer, after a commit, so the next batch waits for
    /// it; a longer WAL means fewer checkpoints, and a page written by many commits (the newest leaf of
    /// a key, a busy player's) is copied once per checkpoint rather than once per 1,000 pages. 4,000
    /// pages is 16 MiB of WAL at SQLite's 4 KiB page.
    /// </summary>
    public const int WalAutoCheckpointPages = 4000;

    // The append statements, prepared once on the writer connection and kept: SQLite parses and plans a
    // 34-column insert each time a new command runs it. Used by one batch at a time (the write lock).
    private SqliteCommand? _headCommand;
    private SqliteCommand? _transactionCommand;
    private SqliteCommand? _insertCommand;

    /// <param name="options">Where the database file is.</param>
    /// <param name="metrics">The silo's ledger metrics; a store made without them records on a meter of its own.</param>
    /// <param name="logger">Where the schema migrations and the copy taken before them are logged; nowhere without one.</param>
    public SqliteLedgerStore(IOptions<StorageOptions> options, LedgerMetrics? metrics = null, ILogger<SqliteLedgerStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _ = SqliteEngine.MultiThreaded;
        _ownMetrics = metrics is null ? new LedgerMetrics() : null;
        _appends = new LedgerGroupCommit("sqlite", metrics ?? _ownMetrics!, events => WriteAsync(connection => AppendBatch(connection, events), CancellationToken.None));
        var path = options.Value.DatabasePath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        OwnerOnlyFiles.CreateEmpty(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <inheritdoc/>
    LedgerGroupCommit IGroupCommittingStore.Appends => _appends;

    /// <summary>
    /// How long <see cref="Dispose"/> waits for a write in progress before it leaves the writer to that
    /// write to close. Settable for tests.
    /// </summary>
    internal TimeSpan CloseWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Test seam: called with the writer inside every write, under the write lock, just before the write runs on it.</summary>
    internal Action<SqliteConnection>? TestHookWriting { get; set; }

    /// <summary>
    /// Commits what is still queued, then closes the writer. Writes other than appends (a snapshot, a
    /// consumer's position, a dead letter) may still be running on it: SQLite in multi-thread mode
    /// must never see a connection closed under a running statement, so the writer is closed under
    /// the write lock. A write that outlasts <see cref="CloseWait"/> closes it itself when it ends
    /// (the close must not hang a stopping silo); every write after the close fails.
    /// </summary>
    public void Dispose()
    {
        // The committer runs on the thread pool, never on this thread: waiting for it cannot deadlock.
        _appends.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _closed = true;
        if (_writeLock.Wait(CloseWait))
        {
            try
            {
                CloseWriter();
            }
            finally
            {
                _writeLock.Release();
            }
        }

        // The write lock itself is not disposed: a write still waiting for it must get it, find the
        // store closed and fail, not wait for ever.
        _ownMetrics?.Dispose();
    }

    /// <summary>Close the writer and its prepared statements; only under the write lock.</summary>
    private void CloseWriter()
    {
        _headCommand?.Dispose();
        _transactionCommand?.Dispose();
        _insertCommand?.Dispose();
        _writer?.Dispose();
        (_headCommand, _transactionCommand, _insertCommand, _writer) = (null, null, null, null);
    }

    /// <summary>
    /// Create the schema of a new database, or migrate an older one to this build's version, one script per
    /// version, all in one transaction. An existing database is first copied into the backup directory
    /// (<see cref="StorageOptions.BackupBeforeUpgrade"/>); a copy that fails stops here, nothing migrated.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        var found = await WriteAsync(connection =>
        {
            Execute(connection, "PRAGMA journal_mode = WAL;");
            Execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_us INTEGER NOT NULL);");
            return ReadSchemaVersion(connection, null);
        }, cancellationToken).ConfigureAwait(false);
        if (found is > 0 and < SchemaVersion && _options.BackupBeforeUpgrade)
        {
            await CopyBeforeUpgradeAsync(found).ConfigureAwait(false);
        }

        await WriteAsync(connection =>
        {
            using var transaction = connection.BeginTransaction();
            var current = ReadSchemaVersion(connection, transaction);
            if (current > SchemaVersion)
            {
                throw new InvalidOperationException($"The database schema is version {current}, newer than this build ({SchemaVersion}).");
            }

            for (var version = (int)current + 1; version <= SchemaVersion; version++)
            {
                Execute(connection, SqlScripts.Read($"sqlite-v{version}.sql"), transaction);
                using var mark = Command(connection, "INSERT INTO schema_version (version, applied_us) VALUES ($v, $at);", transaction);
                mark.Parameters.AddWithValue("$v", version);
                mark.Parameters.AddWithValue("$at", Time.ToMicros(DateTimeOffset.UtcNow));
                mark.ExecuteNonQuery();
                LogMigrated(_logger, version);
            }

            transaction.Commit();
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static long ReadSchemaVersion(SqliteConnection connection, SqliteTransaction? transaction) =>
        Convert.ToInt64(Scalar(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version;", transaction), CultureInfo.InvariantCulture);

    /// <summary>
    /// The copy of the database as it is before its schema is migrated from <paramref name="version"/>. A copy
    /// that cannot be made (the disk full, the directory not writable) stops the start: the operator frees
    /// space or takes a copy by hand, not the migration going on without one.
    /// </summary>
    private async Task CopyBeforeUpgradeAsync(long version)
    {
        var path = LedgerBackups.PreUpgradeName(_options.BackupPath, version, DateTimeOffset.UtcNow);
        try
        {
            await LedgerBackups.CopyAsync(this, path).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or SqliteException)
        {
            throw new InvalidOperationException(
                $"Could not copy the SQLite database to {path} before migrating its schema from version {version} to {SchemaVersion}: " +
                $"{exception.Message} Nothing was migrated. Free space there (or set Storage:BackupDirectory elsewhere), or copy the " +
                "database by hand and start with Storage:BackupBeforeUpgrade=false.",
                exception);
        }

        LogCopiedBeforeUpgrade(_logger, path, version);
    }

    public Task<(AppendOutcome Outcome, LedgerEvent? Appended)> AppendAsync(LedgerEvent ledgerEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ledgerEvent);
        return _appends.AppendAsync(ledgerEvent, cancellationToken);
    }

    public Task<IReadOnlyList<LedgerEvent>> ReadPlayerEventsAsync(Guid playerUuid, long afterVersion, int limit, CancellationToken cancellationToken = default) =>
        ReadEventsAsync(
            "WHERE player_uuid = $p AND version > $after ORDER BY version LIMIT $limit",
            command =>
            {
                command.Parameters.AddWithValue("$p", playerUuid.ToString("D"));
                command.Parameters.AddWithValue("$after", afterVersion);
                command.Parameters.AddWithValue("$limit", limit);
            },
            cancellationToken);

    public Task<IReadOnlyList<LedgerEvent>> ReadPlayerEntitlementEventsAsync(Guid playerUuid, long afterVersion, int limit, CancellationToken cancellationToken = default) =>
        // The player's version index (schema v3 has no index by kind); the other kinds are skipped per row
        // (BENCHMARKS.md, change 24: an index of the grants alone cost every grant more than it saves here).
        ReadListedEventsAsync(
            "INDEXED BY ux_ledger_events_player_version WHERE player_uuid = $p AND kind = 0 AND version > $after ORDER BY version LIMIT $limit",
            command =>
            {
                command.Parameters.AddWithValue("$p", playerUuid.ToString("D"));
                command.Parameters.AddWithValue("$after", afterVersion);
                command.Parameters.AddWithValue("$limit", limit);
            },
            cancellationToken);

    public Task<IReadOnlyList<LedgerEvent>> ReadAllEntitlementEventsAsync(long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        // SQLite has one writer and assigns seq inside the writing transaction, so sequences become
        // visible in order: every committed row below the highest visible seq is visible too.
        ReadListedEventsAsync(
            "WHERE kind = 0 AND seq > $after ORDER BY seq LIMIT $limit",
            command =>
            {
                command.Parameters.AddWithValue("$after", afterSequence);
                command.Parameters.AddWithValue("$limit", limit);
            },
            cancellationToken);

    // Without statistics SQLite may walk the primary key here (it saves the sort) and scan every
    // entitlement event of the ledger: a grant's cost then grows with the whole ledger. The transaction
    // index finds the one or two rows directly.
    public Task<IReadOnlyList<LedgerEvent>> ReadTransactionAsync(Platform platform, string platformTransactionId, CancellationToken cancellationToken = default) =>
        ReadEventsAsync(
            "INDEXED BY ux_ledger_events_transaction WHERE kind = 0 AND platform = $platform AND platform_transaction_id = $tx ORDER BY seq",
            command =>
            {
                command.Parameters.AddWithValue("$platform", platform.ToString());
                command.Parameters.AddWithValue("$tx", platformTransactionId);
            },
            cancellationToken);

    public async Task<LedgerEvent?> ReadOperationAsync(Guid playerUuid, string operationId, CancellationToken cancellationToken = default)
    {
        var events = await ReadEventsAsync(
            "WHERE player_uuid = $p AND operation_id = $op",
            command =>
            {
                command.Parameters.AddWithValue("$p", playerUuid.ToString("D"));
                command.Parameters.AddWithValue("$op", operationId);
            },
            cancellationToken);
        return events.Count == 0 ? null : events[0];
    }

    public Task<LedgerSnapshot?> ReadSnapshotAsync(Guid playerUuid, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        using var command = Command(connection, "SELECT state FROM ledger_snapshots WHERE player_uuid = $p;");
        command.Parameters.AddWithValue("$p", playerUuid.ToString("D"));
        return command.ExecuteScalar() is string json ? new LedgerSnapshot(playerUuid, SnapshotSerializer.Deserialize(json)) : null;
    }, cancellationToken);

    public Task WriteSnapshotAsync(LedgerSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return WriteAsync(connection =>
        {
            using var command = Command(connection, """
                INSERT INTO ledger_snapshots (player_uuid, version, state, written_us) VALUES ($p, $v, $state, $at)
                ON CONFLICT (player_uuid) DO UPDATE SET version = excluded.version, state = excluded.state, written_us = excluded.written_us
                WHERE excluded.version > ledger_snapshots.version;
                """);
            command.Parameters.AddWithValue("$p", snapshot.PlayerUuid.ToString("D"));
            command.Parameters.AddWithValue("$v", snapshot.State.Version);
            command.Parameters.AddWithValue("$state", SnapshotSerializer.Serialize(snapshot.State));
            command.Parameters.AddWithValue("$at", Time.ToMicros(DateTimeOffset.UtcNow));
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    public Task<IReadOnlyList<LedgerEvent>> ReadNotifyingEventsAsync(Guid? playerUuid, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        // As for the global listing: seq becomes visible in commit order, so nothing below it is skipped.
        ReadEventsAsync(
            playerUuid is null
                ? $"WHERE {LedgerEventRow.NotifyingWhere} AND seq > $after ORDER BY seq LIMIT $limit"
                : PlayerFeedWhere,
            command =>
            {
                if (playerUuid is { } player)
                {
                    command.Parameters.AddWithValue("$p", player.ToString("D"));
                }

                command.Parameters.AddWithValue("$after", afterSequence);
                command.Parameters.AddWithValue("$limit", limit);
            },
            cancellationToken);

    /// <summary>One player's feed on the player's version index (see <see cref="LedgerEventRow.PlayerFeedWhere"/>).</summary>
    internal static readonly string PlayerFeedWhere = LedgerEventRow.PlayerFeedWhere('$');

    public Task<long> ReadLastNotifyingSequenceAsync(CancellationToken cancellationToken = default) => ReadAsync(
        connection => Convert.ToInt64(Scalar(connection, $"SELECT COALESCE((SELECT seq FROM ledger_events WHERE {LedgerEventRow.NotifyingWhere} ORDER BY seq DESC LIMIT 1), 0);"), CultureInfo.InvariantCulture),
        cancellationToken);

    public Task WriteConsumerPositionAsync(string consumer, long position, CancellationToken cancellationToken = default) => WriteAsync(connection =>
    {
        MovePosition(connection, null, consumer, position);
        return 0;
    }, cancellationToken);

    /// <summary>Move <paramref name="consumer"/>'s position forward to <paramref name="position"/>; a smaller one is ignored.</summary>
    private static void MovePosition(SqliteConnection connection, SqliteTransaction? transaction, string consumer, long position)
    {
        using var command = Command(connection, """
            INSERT INTO notification_positions (consumer, position, updated_us) VALUES ($c, $pos, $at)
            ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_us = excluded.updated_us
            WHERE excluded.position > notification_positions.position;
            """, transaction);
        command.Parameters.AddWithValue("$c", consumer);
        command.Parameters.AddWithValue("$pos", position);
        command.Parameters.AddWithValue("$at", Time.ToMicros(DateTimeOffset.UtcNow));
        command.ExecuteNonQuery();
    }

    public Task<long?> FindConsumerPositionAsync(string consumer, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        using var command = Command(connection, "SELECT position FROM notification_positions WHERE consumer = $c;");
        command.Parameters.AddWithValue("$c", consumer);
        return command.ExecuteScalar() is { } position ? Convert.ToInt64(position, CultureInfo.InvariantCulture) : (long?)null;
    }, cancellationToken);

    public Task<byte[]> ReadCursorKeyAsync(CancellationToken cancellationToken = default) => WriteAsync(connection =>
    {
        using (var insert = Command(connection, "INSERT INTO settings (key, value) VALUES ('cursor_key', $value) ON CONFLICT DO NOTHING;"))
        {
            insert.Parameters.AddWithValue("$value", RandomNumberGenerator.GetBytes(32));
            insert.ExecuteNonQuery();
        }

        return (byte[])Scalar(connection, "SELECT value FROM settings WHERE key = 'cursor_key';")!;
    }, cancellationToken);

    /// <summary>
    /// The XUID's pending consumes (schema version 8): the rows of <c>xbox_pending_consumes</c>, which the
    /// ledger's triggers keep to the started rows without a grant or a refusal (version 10), on its XUID index (in started order: the
    /// index holds the key), each joined to its started row by sequence. The cost is the pending consumes,
    /// not the XUID's history; CROSS JOIN keeps SQLite from starting at the ledger.
    /// </summary>
    internal static readonly string PendingXboxConsumesQuery = $"""
        SELECT {LedgerEventRow.SelectColumns} FROM xbox_pending_consumes p CROSS JOIN ledger_events ON seq = p.started_seq
        WHERE p.xuid = $x
        ORDER BY p.started_seq;
        """;

    public Task<IReadOnlyList<PendingXboxConsume>> ReadPendingXboxConsumesAsync(string xuid, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<PendingXboxConsume>>(connection =>
        {
            using var command = Command(connection, PendingXboxConsumesQuery);
            command.Parameters.AddWithValue("$x", xuid);
            using var reader = command.ExecuteReader();
            var pending = new List<PendingXboxConsume>();
            while (reader.Read())
            {
                var row = LedgerEventRow.Read(reader);
                pending.Add(new PendingXboxConsume(row.XboxConsume!, row.Created));
            }

            return pending;
        }, cancellationToken);

    public Task<byte[]> ReadSessionTicketKeyAsync(CancellationToken cancellationToken = default) => WriteAsync(connection =>
    {
        using (var insert = Command(connection, "INSERT INTO settings (key, value) VALUES ('session_ticket_key', $value) ON CONFLICT DO NOTHING;"))
        {
            insert.Parameters.AddWithValue("$value", RandomNumberGenerator.GetBytes(32));
            insert.ExecuteNonQuery();
        }

        return (byte[])Scalar(connection, "SELECT value FROM settings WHERE key = 'session_ticket_key';")!;
    }, cancellationToken);

    /// <summary>
    /// One transaction for the batch, one commit (one fsync). No savepoint per append: SQLite undoes a
    /// failed statement by itself and keeps the transaction (a constraint violation aborts the insert
    /// alone), so an append that fails is its own answer while the transaction is still open; only an
    /// error that ended the transaction (SQLite rolls back on some I/O and memory errors) fails the batch.
    /// </summary>
    private GroupAppendResult[] AppendBatch(SqliteConnection connection, IReadOnlyList<LedgerEvent> events)
    {
        var results = new GroupAppendResult[events.Count];
        using var transaction = connection.BeginTransaction(deferred: false);
        var head = _headCommand ??= Command(connection, "SELECT COALESCE(MAX(version), 0) FROM ledger_events WHERE player_uuid = $p;");
        var transactionEvents = _transactionCommand ??= Command(connection, """
            SELECT COUNT(*) FROM ledger_events INDEXED BY ux_ledger_events_transaction
            WHERE kind = 0 AND platform = $platform AND platform_transaction_id = $transaction;
            """);
        var insert = _insertCommand ??= Command(connection, InsertSql);
        head.Transaction = transaction;
        transactionEvents.Transaction = transaction;
        insert.Transaction = transaction;
        for (var i = 0; i < events.Count; i++)
        {
            try
            {
                results[i] = AppendOne(head, transactionEvents, insert, events[i]);
            }
            catch (Exception exception) when (InTransaction(connection))
            {
                results[i] = GroupAppendResult.Failed(exception);
            }
        }

        transaction.Commit();
        return results;
    }

    /// <summary>Whether the connection's transaction is still open (SQLite has not rolled it back).</summary>
    private static bool InTransaction(SqliteConnection connection) => SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0;

    private static GroupAppendResult AppendOne(SqliteCommand head, SqliteCommand transactionEvents, SqliteCommand insert, LedgerEvent ledgerEvent)
    {
        if (ledgerEvent.TransactionEventsRead is { } read && ledgerEvent.Entitlement is { } record)
        {
            // Decided on the transaction as it was read: refused when it has changed since (it only grows).
            transactionEvents.Parameters.Clear();
            transactionEvents.Parameters.AddWithValue("$platform", StoredEnum.Name<Platform>(record.Platform));
            transactionEvents.Parameters.AddWithValue("$transaction", record.PlatformTransactionId);
            if (Convert.ToInt64(transactionEvents.ExecuteScalar(), CultureInfo.InvariantCulture) != read)
            {
                return GroupAppendResult.Rejected(AppendOutcome.DuplicateKey);
            }
        }

        if (ledgerEvent.PlayerUuid is { } player)
        {
            head.Parameters.Clear();
            head.Parameters.AddWithValue("$p", player.ToString("D"));
            var latest = Convert.ToInt64(head.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (ledgerEvent.Version != latest + 1)
            {
                return GroupAppendResult.Rejected(AppendOutcome.VersionConflict);
            }
        }

        try
        {
            insert.Parameters.Clear();
            BindEvent(insert, ledgerEvent);
            var sequence = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
            return GroupAppendResult.Committed(ledgerEvent with { Sequence = sequence, TransactionEventsRead = null, NoEffect = null });
        }
        catch (SqliteException exception) when (exception.SqliteExtendedErrorCode == SqliteConstraintUnique && KeyTaken(exception.Message) is { } outcome)
        {
            return GroupAppendResult.Rejected(outcome);
        }
    }

    /// <summary>
    /// What a unique violation of the ledger means, by the key it names (SQLite names the columns, not
    /// the index): the player's version is a version conflict; the event id, the transaction's key and
    /// the player's operation id are duplicates. Null for any other key: the append then fails as any
    /// other refusal does, rather than answering a conflict the caller would only decide again.
    /// </summary>
    private static AppendOutcome? KeyTaken(string message) =>
        message.Contains("failed: ledger_events.player_uuid, ledger_events.version'", StringComparison.Ordinal) ? AppendOutcome.VersionConflict
        : message.Contains("failed: ledger_events.event_id'", StringComparison.Ordinal)
            || message.Contains("failed: ledger_events.platform, ledger_events.platform_transaction_id, ledger_events.action_type'", StringComparison.Ordinal)
            || message.Contains("failed: ledger_events.player_uuid, ledger_events.operation_id'", StringComparison.Ordinal) ? AppendOutcome.DuplicateKey
        : null;

    private static readonly string InsertSql =
        $"INSERT INTO ledger_events ({LedgerEventRow.InsertColumns}) VALUES ({LedgerEventRow.InsertParameters('$')}) RETURNING seq;";

    private static void BindEvent(SqliteCommand command, LedgerEvent e)
    {
        foreach (var column in LedgerEventRow.Values(e))
        {
            var value = column.Type == LedgerColumnType.Uuid ? ((Guid?)column.Value)?.ToString("D") : column.Value;
            command.Parameters.AddWithValue("$" + column.Name, value ?? DBNull.Value);
        }
    }

    private Task<IReadOnlyList<LedgerEvent>> ReadEventsAsync(string where, Action<SqliteCommand> bind, CancellationToken cancellationToken) =>
        ReadEventsAsync(LedgerEventRow.SelectColumns, LedgerEventRow.Read, where, bind, cancellationToken);

    /// <summary>As <see cref="ReadEventsAsync(string, Action{SqliteCommand}, CancellationToken)"/> for a listing: without the notification messages.</summary>
    private Task<IReadOnlyList<LedgerEvent>> ReadListedEventsAsync(string where, Action<SqliteCommand> bind, CancellationToken cancellationToken) =>
        ReadEventsAsync(LedgerEventRow.ListedColumns, LedgerEventRow.ReadListed, where, bind, cancellationToken);

    private Task<IReadOnlyList<LedgerEvent>> ReadEventsAsync(
        string columns, Func<DbDataReader, LedgerEvent> read, string where, Action<SqliteCommand> bind, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<LedgerEvent>>(connection =>
        {
            using var command = Command(connection, $"SELECT {columns} FROM ledger_events {where};");
            bind(command);
            using var reader = command.ExecuteReader();
            var events = new List<LedgerEvent>();
            while (reader.Read())
            {
                events.Add(read(reader));
            }

            return events;
        }, cancellationToken);

    private Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return read(connection);
    }, cancellationToken);

    private Task<T> WriteAsync<T>(Func<SqliteConnection, T> write, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                throw LedgerGroupCommit.StoreClosed();
            }

            if (_writer is null)
            {
                var writer = new SqliteConnection(_connectionString);
                writer.Open();
                // FULL: a commit returns only after the WAL is on disk, so an acknowledged write survives power loss.
                Execute(writer, $"PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = {WalAutoCheckpointPages};");
                _writer = writer;
            }

            TestHookWriting?.Invoke(_writer);
            return write(_writer);
        }
        finally
        {
            if (_closed)
            {
                // The close stopped waiting for this write (or came after it): the writer is closed here, still under the lock.
                CloseWriter();
            }

            _writeLock.Release();
        }
    }, cancellationToken);

    /// <summary>
    /// Writes a copy of the whole database to a new file at <paramref name="path"/> with SQLite's
    /// <c>VACUUM INTO</c>: one read transaction's view, so every commit before it began and none after,
    /// taken beside the writer (readers do not hold up commits). SQLite does not sync the copy; the caller
    /// does. Returns the copy's newest ledger sequence (0 when empty), read from the copy itself.
    /// </summary>
    public Task<long> CopyToAsync(string path, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        using (var vacuum = Command(connection, "VACUUM INTO $path;"))
        {
            vacuum.Parameters.AddWithValue("$path", path);
            vacuum.CommandTimeout = 0;
            vacuum.ExecuteNonQuery();
        }

        var copy = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        using var opened = new SqliteConnection(copy);
        opened.Open();
        return Convert.ToInt64(Scalar(opened, "SELECT COALESCE(MAX(seq), 0) FROM ledger_events;"), CultureInfo.InvariantCulture);
    }, cancellationToken);

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = Command(connection, sql, transaction);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = Command(connection, sql, transaction);
        return command.ExecuteScalar();
    }
}
