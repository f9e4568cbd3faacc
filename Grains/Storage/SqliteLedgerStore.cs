using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Entitlements.Contracts;
using Entitlements.Diagnostics;
using Entitlements.Ledger;
using Entitlements.Notifications;
using Entitlements.Webhooks;
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

    private static readonly JsonSerializerOptions CatalogJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

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

    public Task<PlayerInfo?> ReadPlayerAsync(Guid playerUuid, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        using var command = Command(connection, "SELECT player_uuid, player_id, created_us FROM players WHERE player_uuid = $p;");
        command.Parameters.AddWithValue("$p", playerUuid.ToString("D"));
        return ReadPlayer(command);
    }, cancellationToken);

    public Task<PlayerInfo?> ReadPlayerByIdAsync(long playerId, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        using var command = Command(connection, "SELECT player_uuid, player_id, created_us FROM players WHERE player_id = $id;");
        command.Parameters.AddWithValue("$id", playerId);
        return ReadPlayer(command);
    }, cancellationToken);

    public Task<PlatformUserLink?> ReadPlatformUserAsync(Platform platform, string platformUserId, CancellationToken cancellationToken = default) =>
        ReadAsync(connection => ReadLink(connection, null, platform, platformUserId), cancellationToken);

    public Task<LinkPlatformUserResult> LinkPlatformUserAsync(
        Platform platform, string platformUserId, string? displayName, Guid? playerUuid, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        WriteAsync(connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var existing = ReadLink(connection, transaction, platform, platformUserId);
            if (existing is not null && (playerUuid is null || playerUuid == existing.PlayerUuid))
            {
                if (displayName is null || displayName == existing.DisplayName)
                {
                    return new LinkPlatformUserResult(existing, Created: false);
                }

                using var rename = Command(connection, "UPDATE platform_users SET display_name = $name WHERE platform = $platform AND platform_user_id = $user;", transaction);
                rename.Parameters.AddWithValue("$name", displayName);
                rename.Parameters.AddWithValue("$platform", platform.ToString());
                rename.Parameters.AddWithValue("$user", platformUserId);
                rename.ExecuteNonQuery();
                transaction.Commit();
                return new LinkPlatformUserResult(existing with { DisplayName = displayName }, Created: false);
            }

            var target = (playerUuid ?? Guid.NewGuid()).ToString("D");
            // INSERT ... SELECT ... WHERE NOT EXISTS rather than ON CONFLICT DO NOTHING, which still advances the
            // AUTOINCREMENT sequence: a link to an existing player would leave a hole in the sequential ids.
            using (var player = Command(connection, "INSERT INTO players (player_uuid, created_us) SELECT $p, $at WHERE NOT EXISTS (SELECT 1 FROM players WHERE player_uuid = $p);", transaction))
            {
                player.Parameters.AddWithValue("$p", target);
                player.Parameters.AddWithValue("$at", Time.ToMicros(now));
                player.ExecuteNonQuery();
            }

            using (var link = Command(connection, """
                INSERT INTO platform_users (platform, platform_user_id, player_uuid, display_name, created_us) VALUES ($platform, $user, $p, $name, $at)
                ON CONFLICT (platform, platform_user_id) DO UPDATE SET player_uuid = excluded.player_uuid, display_name = COALESCE(excluded.display_name, platform_users.display_name);
                """, transaction))
            {
                link.Parameters.AddWithValue("$platform", platform.ToString());
                link.Parameters.AddWithValue("$user", platformUserId);
                link.Parameters.AddWithValue("$p", target);
                link.Parameters.AddWithValue("$name", (object?)displayName ?? DBNull.Value);
                link.Parameters.AddWithValue("$at", Time.ToMicros(now));
                link.ExecuteNonQuery();
            }

            var linked = ReadLink(connection, transaction, platform, platformUserId)!;
            transaction.Commit();
            return new LinkPlatformUserResult(linked, Created: existing is null);
        }, cancellationToken);

    public Task<CatalogSku?> ReadCatalogSkuAsync(Platform platform, string sku, CancellationToken cancellationToken = default) =>
        ReadAsync(connection => ReadCatalogSku(connection, null, platform, sku), cancellationToken);

    private static CatalogSku? ReadCatalogSku(SqliteConnection connection, SqliteTransaction? transaction, Platform platform, string sku)
    {
        using var command = Command(connection, "SELECT document, revision FROM catalog_skus WHERE platform = $platform AND sku = $sku;", transaction);
        command.Parameters.AddWithValue("$platform", platform.ToString());
        command.Parameters.AddWithValue("$sku", sku);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCatalog(reader.GetString(0), reader.GetInt64(1)) : null;
    }

    public Task<CatalogWriteResult> WriteCatalogSkuAsync(CatalogSku sku, CatalogPrecondition precondition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sku);
        ArgumentNullException.ThrowIfNull(precondition);
        // Under the single writer: nothing else writes between the checks and the upsert.
        return WriteAsync(connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var stored = ReadCatalogSku(connection, transaction, sku.Platform, sku.Sku);
            if (!precondition.HoldsFor(stored?.Revision))
            {
                return new CatalogWriteResult(CatalogWriteOutcome.PreconditionFailed, stored);
            }

            if (ReadItemTypeConflict(connection, transaction, sku) is { } otherType)
            {
                return new CatalogWriteResult(CatalogWriteOutcome.ItemTypeConflict, stored, otherType);
            }

            if (ReadProductIdConflict(connection, transaction, sku) is { } otherProduct)
            {
                return new CatalogWriteResult(CatalogWriteOutcome.ProductIdConflict, stored, otherProduct);
            }

            using var command = Command(connection, """
                INSERT INTO catalog_skus (platform, sku, revision, document, platform_product_id) VALUES ($platform, $sku, 1, $doc, $product)
                ON CONFLICT (platform, sku) DO UPDATE SET
                    revision = catalog_skus.revision + 1, document = excluded.document, platform_product_id = excluded.platform_product_id
                RETURNING revision;
                """, transaction);
            BindCatalog(command, sku);
            var revision = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            transaction.Commit();
            return new CatalogWriteResult(CatalogWriteOutcome.Written, sku with { Revision = revision });
        }, cancellationToken);
    }

    public Task<int> SeedCatalogAsync(IEnumerable<CatalogSku> skus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skus);
        var entries = skus.ToList();
        return WriteAsync(connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var inserted = 0;
            foreach (var sku in entries)
            {
                using var command = Command(
                    connection,
                    "INSERT INTO catalog_skus (platform, sku, revision, document, platform_product_id) VALUES ($platform, $sku, 1, $doc, $product) ON CONFLICT DO NOTHING;",
                    transaction);
                BindCatalog(command, sku);
                if (command.ExecuteNonQuery() == 0)
                {
                    continue;
                }

                // A new entry only: the ones already stored were checked when written (or predate the check).
                if (ReadItemTypeConflict(connection, transaction, sku) is { } other)
                {
                    throw new InvalidDataException(new CatalogWriteResult(CatalogWriteOutcome.ItemTypeConflict, null, other).Describe(sku));
                }

                if (ReadProductIdConflict(connection, transaction, sku) is { } otherProduct)
                {
                    throw new InvalidDataException(new CatalogWriteResult(CatalogWriteOutcome.ProductIdConflict, null, otherProduct).Describe(sku));
                }

                inserted++;
            }

            transaction.Commit();
            return inserted;
        }, cancellationToken);
    }

    /// <summary>
    /// Another entry (any platform) of the entry's item with another entitlement type, if any: a scan of the
    /// catalog's documents, which only a catalog write (or a seeded new entry) pays.
    /// </summary>
    private static CatalogSku? ReadItemTypeConflict(SqliteConnection connection, SqliteTransaction transaction, CatalogSku sku)
    {
        using var command = Command(connection, """
            SELECT document, revision FROM catalog_skus
            WHERE json_extract(document, '$.itemId') = $item AND NOT (platform = $platform AND sku = $sku)
            ORDER BY platform, sku;
            """, transaction);
        command.Parameters.AddWithValue("$item", sku.ItemId);
        command.Parameters.AddWithValue("$platform", sku.Platform.ToString());
        command.Parameters.AddWithValue("$sku", sku.Sku);
        using var reader = command.ExecuteReader();
        var sameItem = new List<CatalogSku>();
        while (reader.Read())
        {
            sameItem.Add(ReadCatalog(reader.GetString(0), reader.GetInt64(1)));
        }

        return CatalogRules.ItemTypeConflict(sku, sameItem);
    }

    /// <summary>Another entry of the platform with the entry's product id, if that must be unique (XboxLive), on the product index.</summary>
    private static CatalogSku? ReadProductIdConflict(SqliteConnection connection, SqliteTransaction transaction, CatalogSku sku)
    {
        if (!CatalogRules.HasUniqueProductId(sku))
        {
            return null;
        }

        using var command = Command(connection, """
            SELECT document, revision FROM catalog_skus INDEXED BY ix_catalog_skus_product
            WHERE platform = $platform AND platform_product_id = $product AND sku <> $sku
            ORDER BY sku LIMIT 1;
            """, transaction);
        command.Parameters.AddWithValue("$platform", sku.Platform.ToString());
        command.Parameters.AddWithValue("$product", sku.PlatformProductId);
        command.Parameters.AddWithValue("$sku", sku.Sku);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCatalog(reader.GetString(0), reader.GetInt64(1)) : null;
    }

    /// <summary>
    /// A catalog write's values: the entry as its JSON document (without its revision), and its platform product
    /// id again in a column of its own (schema version 9), which the lookup by product id is indexed on.
    /// </summary>
    private static void BindCatalog(SqliteCommand command, CatalogSku sku)
    {
        command.Parameters.AddWithValue("$platform", sku.Platform.ToString());
        command.Parameters.AddWithValue("$sku", sku.Sku);
        command.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(sku with { Revision = 0 }, CatalogJson));
        command.Parameters.AddWithValue("$product", (object?)sku.PlatformProductId ?? DBNull.Value);
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

    /// <summary>
    /// One player's notifying events after a sequence, on the player's version index (there is no index by
    /// player and sequence). A player's versions and sequences grow together, so version order is sequence
    /// order, and the index walk starts after the player's last event at or before <c>$after</c>: found at once
    /// when the event at <c>$after</c> or at <c>$after + 1</c> is the player's own (a position from this
    /// player's feed, or the one just before it), else by walking the player's versions down from the newest
    /// to the first at or before <c>$after</c> (only the events the read returns, and one more: a player who got
    /// nothing since a position elsewhere in the feed, a silent connection's head, costs one entry, not the
    /// player's whole history). <c>seq &gt; $after</c> decides either way.
    /// </summary>
    internal const string PlayerFeedWhere = $"""
        WHERE player_uuid = $p AND {LedgerEventRow.NotifyingWhere} AND seq > $after
          AND version >= {PlayerFeedStart}
        ORDER BY version LIMIT $limit
        """;

    /// <summary>The first version of player <c>$p</c> whose sequence may be above <c>$after</c> (see <see cref="PlayerFeedWhere"/>).</summary>
    internal const string PlayerFeedStart = """
        COALESCE(
              (SELECT version + 1 FROM ledger_events WHERE seq = $after AND player_uuid = $p),
              (SELECT version FROM ledger_events WHERE seq = $after + 1 AND player_uuid = $p),
              (SELECT version + 1 FROM ledger_events WHERE player_uuid = $p AND version IS NOT NULL AND seq <= $after ORDER BY version DESC LIMIT 1),
              0)
        """;

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

    public Task<WebhookDeadLetter> WriteDeadLetterAsync(WebhookDeadLetter deadLetter, string? consumer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deadLetter);
        return WriteAsync(connection =>
        {
            // One transaction: the position moves with the dead letter or, if either write fails, neither is written.
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = Command(connection, $"""
                INSERT INTO webhook_dead_letters (webhook, position, event_id, player_uuid, kind, attempts, last_error, failed_us, replayed_us)
                VALUES ($w, $pos, $event, $p, $kind, $attempts, $error, $failed, NULL)
                ON CONFLICT (webhook, position) DO UPDATE SET
                    attempts = excluded.attempts, last_error = excluded.last_error, failed_us = excluded.failed_us, replayed_us = NULL
                RETURNING {DeadLetterColumns};
                """, transaction);
            command.Parameters.AddWithValue("$w", deadLetter.Webhook);
            command.Parameters.AddWithValue("$pos", deadLetter.Position);
            command.Parameters.AddWithValue("$event", deadLetter.EventId);
            command.Parameters.AddWithValue("$p", deadLetter.PlayerUuid.ToString("D"));
            command.Parameters.AddWithValue("$kind", (int)deadLetter.Kind);
            command.Parameters.AddWithValue("$attempts", deadLetter.Attempts);
            command.Parameters.AddWithValue("$error", (object?)deadLetter.LastError ?? DBNull.Value);
            command.Parameters.AddWithValue("$failed", Time.ToMicros(deadLetter.Failed));
            WebhookDeadLetter written;
            using (var reader = command.ExecuteReader())
            {
                reader.Read();
                written = ReadDeadLetter(reader);
            }

            if (consumer is not null)
            {
                MovePosition(connection, transaction, consumer, deadLetter.Position);
            }

            transaction.Commit();
            return written;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<WebhookDeadLetter>> ReadDeadLettersAsync(string webhook, long afterId, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<WebhookDeadLetter>>(connection =>
        {
            using var command = Command(connection, $"SELECT {DeadLetterColumns} FROM webhook_dead_letters WHERE webhook = $w AND id > $after ORDER BY id LIMIT $limit;");
            command.Parameters.AddWithValue("$w", webhook);
            command.Parameters.AddWithValue("$after", afterId);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var letters = new List<WebhookDeadLetter>();
            while (reader.Read())
            {
                letters.Add(ReadDeadLetter(reader));
            }

            return letters;
        }, cancellationToken);

    public Task<WebhookDeadLetter?> ReadDeadLetterAsync(string webhook, long id, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        using var command = Command(connection, $"SELECT {DeadLetterColumns} FROM webhook_dead_letters WHERE webhook = $w AND id = $id;");
        command.Parameters.AddWithValue("$w", webhook);
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadDeadLetter(reader) : null;
    }, cancellationToken);

    public Task<WebhookDeadLetter?> MarkDeadLetterReplayedAsync(string webhook, long id, DateTimeOffset replayed, CancellationToken cancellationToken = default) => WriteAsync(connection =>
    {
        using var command = Command(connection, $"UPDATE webhook_dead_letters SET replayed_us = $at WHERE webhook = $w AND id = $id RETURNING {DeadLetterColumns};");
        command.Parameters.AddWithValue("$w", webhook);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", Time.ToMicros(replayed));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadDeadLetter(reader) : null;
    }, cancellationToken);

    public Task<WebhookDeadLetter?> RecordDeadLetterReplayFailureAsync(string webhook, long id, string? lastError, DateTimeOffset failed, CancellationToken cancellationToken = default) => WriteAsync(connection =>
    {
        using var command = Command(connection, $"""
            UPDATE webhook_dead_letters SET attempts = attempts + 1, last_error = $error, failed_us = $failed
            WHERE webhook = $w AND id = $id
            RETURNING {DeadLetterColumns};
            """);
        command.Parameters.AddWithValue("$w", webhook);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$error", (object?)lastError ?? DBNull.Value);
        command.Parameters.AddWithValue("$failed", Time.ToMicros(failed));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadDeadLetter(reader) : null;
    }, cancellationToken);

    public Task<(long Total, long Pending)> CountDeadLettersAsync(string webhook, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        // Two counts that each read one index (schema version 7), never the rows: the total the unique
        // (webhook, position) one, the pending the partial one on the rows no replay has delivered.
        using var command = Command(connection,
            "SELECT (SELECT COUNT(*) FROM webhook_dead_letters WHERE webhook = $w), (SELECT COUNT(*) FROM webhook_dead_letters WHERE webhook = $w AND replayed_us IS NULL);");
        command.Parameters.AddWithValue("$w", webhook);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
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

    /// <summary>
    /// The platform's catalog entry of product <c>$product</c>, the first by SKU when several share it: on the
    /// index of product ids (schema version 9), which holds the SKU too, so the read costs the entries of that
    /// product, not a JSON parse of every entry of the platform as it did before.
    /// </summary>
    internal const string CatalogSkuByProductIdQuery = """
        SELECT document, revision FROM catalog_skus INDEXED BY ix_catalog_skus_product
        WHERE platform = $platform AND platform_product_id = $product
        ORDER BY sku LIMIT 1;
        """;

    public Task<CatalogSku?> ReadCatalogSkuByProductIdAsync(Platform platform, string productId, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        using var command = Command(connection, CatalogSkuByProductIdQuery);
        command.Parameters.AddWithValue("$platform", platform.ToString());
        command.Parameters.AddWithValue("$product", productId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCatalog(reader.GetString(0), reader.GetInt64(1)) : null;
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

    private const string DeadLetterColumns = "id, webhook, position, event_id, player_uuid, kind, attempts, last_error, failed_us, replayed_us";

    private static WebhookDeadLetter ReadDeadLetter(SqliteDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Webhook = reader.GetString(1),
        Position = reader.GetInt64(2),
        EventId = reader.GetString(3),
        PlayerUuid = Guid.Parse(reader.GetString(4), CultureInfo.InvariantCulture),
        Kind = (NotificationKind)reader.GetInt32(5),
        Attempts = reader.GetInt32(6),
        LastError = reader.IsDBNull(7) ? null : reader.GetString(7),
        Failed = Time.FromMicros(reader.GetInt64(8)),
        Replayed = reader.IsDBNull(9) ? null : Time.FromMicros(reader.GetInt64(9)),
    };

    private static PlayerInfo? ReadPlayer(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new PlayerInfo(Guid.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetInt64(1), Time.FromMicros(reader.GetInt64(2)))
            : null;
    }

    private static PlatformUserLink? ReadLink(SqliteConnection connection, SqliteTransaction? transaction, Platform platform, string platformUserId)
    {
        using var command = Command(connection, """
            SELECT u.display_name, u.player_uuid, p.player_id, u.created_us
            FROM platform_users u JOIN players p ON p.player_uuid = u.player_uuid
            WHERE u.platform = $platform AND u.platform_user_id = $user;
            """, transaction);
        command.Parameters.AddWithValue("$platform", platform.ToString());
        command.Parameters.AddWithValue("$user", platformUserId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new PlatformUserLink
        {
            Platform = platform,
            PlatformUserId = platformUserId,
            DisplayName = reader.IsDBNull(0) ? null : reader.GetString(0),
            PlayerUuid = Guid.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
            PlayerId = reader.GetInt64(2),
            Created = Time.FromMicros(reader.GetInt64(3)),
        };
    }

    private static CatalogSku ReadCatalog(string document, long revision) =>
        (JsonSerializer.Deserialize<CatalogSku>(document, CatalogJson) ?? throw new InvalidDataException("Empty catalog document.")) with { Revision = revision };

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
