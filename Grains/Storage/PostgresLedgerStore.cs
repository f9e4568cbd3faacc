using System.Data;
using System.Data.Common;
using System.Security.Cryptography;
using Entitlements.Contracts;
using Entitlements.Diagnostics;
using Entitlements.Ledger;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Entitlements.Storage;

/// <summary>
/// The cluster store: PostgreSQL through a shared <see cref="NpgsqlDataSource"/>, async all the way.
/// Every silo writes to the same database, so the rules SQLite gets from its single writer are made
/// explicit here:
/// <list type="bullet">
/// <item>Appends are group-committed (<see cref="LedgerGroupCommit"/>): the appends that queue up
/// while one transaction commits share the next one. Each such transaction takes one
/// transaction-level advisory lock (<see cref="LedgerLock"/>) before anything else and holds it until
/// the commit. Global sequences are therefore assigned in commit order, and a
/// reader that sees sequence N also sees every committed event below N: the commit high-water mark is
/// simply the highest visible sequence, and a reader paging by sequence never skips an event.</item>
/// <item>Under that lock the version and idempotency checks are exact, so a rejected append never
/// consumes a sequence value.</item>
/// <item>Linking platform users takes another advisory lock (<see cref="PlayersLock"/>), so that
/// player ids are handed out densely and a link is decided once.</item>
/// <item>Catalog writes and the start-up seed take a third (<see cref="CatalogLock"/>), so that a write's
/// checks (its <c>If-Match</c>, the other entries it must agree with) hold until it commits.</item>
/// <item>Migrations run in one transaction under <see cref="MigrationLock"/>: silos starting together
/// migrate once.</item>
/// </list>
/// Every transaction is READ COMMITTED whatever the database's default, so that each statement after a
/// lock sees what the previous holder committed.
/// A write returns after PostgreSQL acknowledged the commit, which is after the WAL is flushed: the
/// silo's connections set <c>synchronous_commit = on</c> (<see cref="PostgresConnectionDefaults"/>).
/// </summary>
public sealed partial class PostgresLedgerStore : ILedgerStore, IGroupCommittingStore, IAsyncDisposable, IDisposable
{
    /// <summary>Advisory lock key held by every append from before its insert to its commit.</summary>
    internal const long LedgerLock = 0x456E_7469_746C_0001;

    /// <summary>Advisory lock key held while a platform user is linked (and maybe a player created).</summary>
    internal const long PlayersLock = 0x456E_7469_746C_0002;

    /// <summary>
    /// Advisory lock key held by every catalog write and the seed from before their checks to their commit, so that
    /// a write's precondition (and its checks against the other entries) still hold when it writes.
    /// </summary>
    internal const long CatalogLock = 0x456E_7469_746C_0005;

    /// <summary>Advisory lock key held while the schema is created or migrated.</summary>
    internal const long MigrationLock = PostgresMigrations.MigrationLock;

    private const int SchemaVersion = 10;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<PostgresLedgerStore> _logger;
    private readonly LedgerMetrics? _ownMetrics;
    private readonly LedgerGroupCommit _appends;

    /// <param name="dataSource">The silo's connection pool.</param>
    /// <param name="logger">Where migrations and isolated batches are logged.</param>
    /// <param name="metrics">The silo's ledger metrics; a store made without them records on a meter of its own.</param>
    public PostgresLedgerStore(NpgsqlDataSource dataSource, ILogger<PostgresLedgerStore> logger, LedgerMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(logger);
        _dataSource = dataSource;
        _logger = logger;
        _ownMetrics = metrics is null ? new LedgerMetrics() : null;
        _appends = new LedgerGroupCommit("postgresql", metrics ?? _ownMetrics!, AppendBatchAsync);
    }

    /// <inheritdoc/>
    LedgerGroupCommit IGroupCommittingStore.Appends => _appends;

    /// <summary>
    /// Test hook: runs inside an append transaction after the row is inserted (its sequence assigned)
    /// and before the commit, once per appended event of the batch. Lets a test hold a transaction open
    /// at exactly that point.
    /// </summary>
    internal Func<LedgerEvent, long, CancellationToken, Task>? BeforeAppendCommit { get; set; }

    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        PostgresMigrations.RunAsync(_dataSource, "schema_version", "postgres", SchemaVersion, version => LogMigrated(_logger, version), cancellationToken);

    /// <summary>Commits what is still queued; the data source belongs to the container.</summary>
    public async ValueTask DisposeAsync()
    {
        await _appends.DisposeAsync().ConfigureAwait(false);
        _ownMetrics?.Dispose();
    }

    /// <summary>As <see cref="DisposeAsync"/>; the committer never runs on the caller's thread, so waiting cannot deadlock.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public Task<(AppendOutcome Outcome, LedgerEvent? Appended)> AppendAsync(LedgerEvent ledgerEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ledgerEvent);
        return _appends.AppendAsync(ledgerEvent, cancellationToken);
    }

    public Task<IReadOnlyList<LedgerEvent>> ReadPlayerEventsAsync(Guid playerUuid, long afterVersion, int limit, CancellationToken cancellationToken = default) =>
        ReadEventsAsync(
            "WHERE player_uuid = @p AND version > @after ORDER BY version LIMIT @limit",
            command =>
            {
                command.Parameters.Add(Parameter("p", NpgsqlDbType.Uuid, playerUuid));
                command.Parameters.Add(Parameter("after", NpgsqlDbType.Bigint, afterVersion));
                command.Parameters.Add(Parameter("limit", NpgsqlDbType.Integer, limit));
            },
            cancellationToken);

    public Task<IReadOnlyList<LedgerEvent>> ReadPlayerEntitlementEventsAsync(Guid playerUuid, long afterVersion, int limit, CancellationToken cancellationToken = default) =>
        ReadListedEventsAsync(
            "WHERE player_uuid = @p AND kind = 0 AND version > @after ORDER BY version LIMIT @limit",
            command =>
            {
                command.Parameters.Add(Parameter("p", NpgsqlDbType.Uuid, playerUuid));
                command.Parameters.Add(Parameter("after", NpgsqlDbType.Bigint, afterVersion));
                command.Parameters.Add(Parameter("limit", NpgsqlDbType.Integer, limit));
            },
            cancellationToken);

    public Task<IReadOnlyList<LedgerEvent>> ReadAllEntitlementEventsAsync(long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        // Sequences become visible in commit order (the ledger lock), so every visible row is below the
        // commit high-water mark: nothing below the last row of a page can still appear later.
        ReadListedEventsAsync(
            "WHERE kind = 0 AND seq > @after ORDER BY seq LIMIT @limit",
            command =>
            {
                command.Parameters.Add(Parameter("after", NpgsqlDbType.Bigint, afterSequence));
                command.Parameters.Add(Parameter("limit", NpgsqlDbType.Integer, limit));
            },
            cancellationToken);

    public Task<IReadOnlyList<LedgerEvent>> ReadTransactionAsync(Platform platform, string platformTransactionId, CancellationToken cancellationToken = default) =>
        ReadEventsAsync(
            "WHERE kind = 0 AND platform = @platform AND md5(platform_transaction_id) = md5(@tx) AND platform_transaction_id = @tx ORDER BY seq",
            command =>
            {
                command.Parameters.Add(Parameter("platform", NpgsqlDbType.Text, platform.ToString()));
                command.Parameters.Add(Parameter("tx", NpgsqlDbType.Text, platformTransactionId));
            },
            cancellationToken);

    public async Task<LedgerEvent?> ReadOperationAsync(Guid playerUuid, string operationId, CancellationToken cancellationToken = default)
    {
        var events = await ReadEventsAsync(
            "WHERE player_uuid = @p AND operation_id = @op",
            command =>
            {
                command.Parameters.Add(Parameter("p", NpgsqlDbType.Uuid, playerUuid));
                command.Parameters.Add(Parameter("op", NpgsqlDbType.Text, operationId));
            },
            cancellationToken).ConfigureAwait(false);
        return events.Count == 0 ? null : events[0];
    }

    public Task<LedgerSnapshot?> ReadSnapshotAsync(Guid playerUuid, CancellationToken cancellationToken = default) =>
        OnceMoreIfDroppedAsync(async () =>
        {
            await using var command = _dataSource.CreateCommand("SELECT state FROM ledger_snapshots WHERE player_uuid = @p;");
            command.Parameters.Add(Parameter("p", NpgsqlDbType.Uuid, playerUuid));
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json
                ? new LedgerSnapshot(playerUuid, SnapshotSerializer.Deserialize(json))
                : null;
        });

    public Task WriteSnapshotAsync(LedgerSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        // Written again on a fresh connection if the first met a closed one: a snapshot only replaces an older one.
        return OnceMoreIfDroppedAsync(async () =>
        {
            await using var command = _dataSource.CreateCommand("""
                INSERT INTO ledger_snapshots (player_uuid, version, state, written_us) VALUES (@p, @v, @state, @at)
                ON CONFLICT (player_uuid) DO UPDATE SET version = excluded.version, state = excluded.state, written_us = excluded.written_us
                WHERE excluded.version > ledger_snapshots.version;
                """);
            command.Parameters.Add(Parameter("p", NpgsqlDbType.Uuid, snapshot.PlayerUuid));
            command.Parameters.Add(Parameter("v", NpgsqlDbType.Bigint, snapshot.State.Version));
            command.Parameters.Add(Parameter("state", NpgsqlDbType.Text, SnapshotSerializer.Serialize(snapshot.State)));
            command.Parameters.Add(Parameter("at", NpgsqlDbType.Bigint, Time.ToMicros(DateTimeOffset.UtcNow)));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        });
    }

    public Task<IReadOnlyList<LedgerEvent>> ReadNotifyingEventsAsync(Guid? playerUuid, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        // As for the global listing: sequences become visible in commit order, so nothing is skipped.
        ReadEventsAsync(
            playerUuid is null
                ? $"WHERE {LedgerEventRow.NotifyingWhere} AND seq > @after ORDER BY seq LIMIT @limit"
                : PlayerFeedWhere,
            command =>
            {
                if (playerUuid is { } player)
                {
                    command.Parameters.Add(Parameter("p", NpgsqlDbType.Uuid, player));
                }

                command.Parameters.Add(Parameter("after", NpgsqlDbType.Bigint, afterSequence));
                command.Parameters.Add(Parameter("limit", NpgsqlDbType.Integer, limit));
            },
            cancellationToken);

    /// <summary>One player's feed on the player's version index (see <see cref="LedgerEventRow.PlayerFeedWhere"/>).</summary>
    internal static readonly string PlayerFeedWhere = LedgerEventRow.PlayerFeedWhere('@');

    public Task<long> ReadLastNotifyingSequenceAsync(CancellationToken cancellationToken = default) =>
        OnceMoreIfDroppedAsync(async () =>
        {
            await using var command = _dataSource.CreateCommand($"SELECT COALESCE((SELECT seq FROM ledger_events WHERE {LedgerEventRow.NotifyingWhere} ORDER BY seq DESC LIMIT 1), 0);");
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        });

    public Task WriteConsumerPositionAsync(string consumer, long position, CancellationToken cancellationToken = default) =>
        // Written again on a fresh connection if the first met a closed one: a position only moves forward.
        OnceMoreIfDroppedAsync(async () =>
        {
            await using var command = _dataSource.CreateCommand($"{MovePositionSql};");
            command.Parameters.Add(Parameter("c", NpgsqlDbType.Text, consumer));
            command.Parameters.Add(Parameter("pos", NpgsqlDbType.Bigint, position));
            command.Parameters.Add(Parameter("at", NpgsqlDbType.Bigint, Time.ToMicros(DateTimeOffset.UtcNow)));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        });

    public Task<long?> FindConsumerPositionAsync(string consumer, CancellationToken cancellationToken = default) =>
        OnceMoreIfDroppedAsync<long?>(async () =>
        {
            await using var command = _dataSource.CreateCommand("SELECT position FROM notification_positions WHERE consumer = @c;");
            command.Parameters.Add(Parameter("c", NpgsqlDbType.Text, consumer));
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long position ? position : null;
        });

    public Task<byte[]> ReadCursorKeyAsync(CancellationToken cancellationToken = default) => ReadSettingKeyAsync("cursor_key", cancellationToken);

    /// <summary>
    /// The XUID's pending consumes (schema version 8): the rows of <c>xbox_pending_consumes</c>, which the
    /// ledger's triggers keep to the started rows without a grant or a refusal (version 10), found by the MD5 of the XUID, each joined
    /// to its started row on the primary key. The cost is the pending consumes, not the XUID's history.
    /// </summary>
    internal static readonly string PendingXboxConsumesQuery = $"""
        SELECT {LedgerEventRow.SelectColumns} FROM xbox_pending_consumes p JOIN ledger_events ON seq = p.started_seq
        WHERE md5(p.xuid) = md5(@x) AND p.xuid = @x
        ORDER BY p.started_seq;
        """;

    public Task<IReadOnlyList<PendingXboxConsume>> ReadPendingXboxConsumesAsync(string xuid, CancellationToken cancellationToken = default) =>
        OnceMoreIfDroppedAsync<IReadOnlyList<PendingXboxConsume>>(async () =>
        {
            await using var command = _dataSource.CreateCommand(PendingXboxConsumesQuery);
            command.Parameters.Add(Parameter("x", NpgsqlDbType.Text, xuid));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var pending = new List<PendingXboxConsume>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = LedgerEventRow.Read(reader);
                pending.Add(new PendingXboxConsume(row.XboxConsume!, row.Created));
            }

            return pending;
        });

    public Task<byte[]> ReadSessionTicketKeyAsync(CancellationToken cancellationToken = default) => ReadSettingKeyAsync("session_ticket_key", cancellationToken);

    /// <summary>
    /// One append of a batch, one statement: the insert happens only when the version is the next one
    /// and no idempotency key is taken (exact, since every appender holds the ledger lock, and each
    /// statement sees what the earlier ones of its batch inserted). Returns the new sequence (null when
    /// rejected) and the player's latest version as the insert saw it, which tells why. With
    /// <c>@transaction_events_read</c> (<see cref="LedgerEvent.TransactionEventsRead"/>) the insert also
    /// needs the transaction to hold exactly that many entitlement events, counted on the transaction key.
    /// </summary>
    private static readonly string AppendSql = $"""
        WITH head AS (
            SELECT COALESCE(MAX(version), 0) AS version FROM ledger_events WHERE player_uuid = @player_uuid),
        inserted AS (
            INSERT INTO ledger_events ({LedgerEventRow.InsertColumns})
            SELECT {LedgerEventRow.InsertParameters('@')}
            WHERE (@player_uuid IS NULL OR @version = 1 + (SELECT version FROM head))
              AND NOT EXISTS (
                  SELECT 1 FROM ledger_events
                  WHERE event_id = @event_id
                     OR (kind = 0 AND @kind = 0 AND platform = @platform
                         AND md5(platform_transaction_id) = md5(@platform_transaction_id) AND platform_transaction_id = @platform_transaction_id
                         AND action_type = @action_type)
                     OR (player_uuid = @player_uuid AND operation_id = @operation_id))
              AND (@transaction_events_read IS NULL OR @transaction_events_read = (
                  SELECT count(*) FROM ledger_events
                  WHERE kind = 0 AND platform = @platform
                    AND md5(platform_transaction_id) = md5(@platform_transaction_id) AND platform_transaction_id = @platform_transaction_id))
            RETURNING seq)
        SELECT (SELECT seq FROM inserted), (SELECT version FROM head)
        """;

    /// <summary>
    /// A group-commit batch: one transaction that takes the ledger lock once, then every append in one
    /// round trip, then one commit (one WAL flush). When one append can make the batch fail, the whole
    /// transaction is rolled back and nothing was written; the appends are then committed one by one, so
    /// that only the one at fault fails. Such a failure is the server refusing a statement, or Npgsql
    /// refusing a parameter before the batch is sent (text with no UTF-8 form, a value of the wrong type).
    /// A failure that may have committed (the connection lost once COMMIT was sent) is never retried.
    /// </summary>
    private async Task<GroupAppendResult[]> AppendBatchAsync(IReadOnlyList<LedgerEvent> events)
    {
        var progress = new BatchProgress();
        try
        {
            return await CommitTogetherAsync(events, progress).ConfigureAwait(false);
        }
        catch (Exception exception) when (MayBeOneAppendsFault(exception, progress.CommitSent))
        {
            if (events.Count == 1)
            {
                return [Refused(exception)];
            }

            LogBatchIsolated(_logger, events.Count, exception is PostgresException refusal ? refusal.SqlState : exception.GetType().Name);
            var results = new GroupAppendResult[events.Count];
            for (var i = 0; i < events.Count; i++)
            {
                try
                {
                    results[i] = (await CommitTogetherAsync([events[i]], new BatchProgress()).ConfigureAwait(false))[0];
                }
                catch (Exception alone)
                {
                    // One append's failure is its own answer here.
                    results[i] = Refused(alone);
                }
            }

            return results;
        }
    }

    /// <summary>
    /// Whether a batch's failure may belong to one of its appends, and the batch certainly did not commit:
    /// the server's refusal (an error answer to COMMIT included: it rolled back), or, before COMMIT was sent,
    /// a parameter Npgsql could not write. Anything else (a lost connection, a timeout) is no one append's
    /// fault and fails the batch as it is.
    /// </summary>
    private static bool MayBeOneAppendsFault(Exception exception, bool commitSent) => exception switch
    {
        PostgresException refusal => !refusal.IsTransient,
        NpgsqlException failure => !commitSent && !failure.IsTransient,
        ArgumentException or InvalidCastException => !commitSent,
        _ => false,
    };

    /// <summary>How far a batch got: once COMMIT is sent, a failure may have committed it.</summary>
    private sealed class BatchProgress
    {
        public bool CommitSent { get; set; }
    }

    private async Task<GroupAppendResult[]> CommitTogetherAsync(IReadOnlyList<LedgerEvent> events, BatchProgress progress)
    {
        // Once taken into a batch an append runs to the end: no caller's token reaches the database.
        var cancellationToken = CancellationToken.None;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        var results = new GroupAppendResult[events.Count];
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            // Every check of an append is a lookup on a unique index. A prepared statement keeps the plan it
            // got first, and one planned while the table was still small scans the whole table for the
            // NOT EXISTS (on a ledger that then grew to 20,000 rows: 2 ms of server CPU per append, the
            // batch's whole cost). So the batch's statements are planned without sequential scans, once
            // (a generic plan, not planned again for each append's values).
            var ledgerLock = new NpgsqlBatchCommand(
                "SELECT set_config('enable_seqscan', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true), pg_advisory_xact_lock(@lock)");
            ledgerLock.Parameters.Add(Parameter("lock", NpgsqlDbType.Bigint, LedgerLock));
            batch.BatchCommands.Add(ledgerLock);
            foreach (var ledgerEvent in events)
            {
                var append = new NpgsqlBatchCommand(AppendSql);
                BindEvent(append.Parameters, ledgerEvent);
                append.Parameters.Add(Parameter("transaction_events_read", NpgsqlDbType.Bigint, (long?)ledgerEvent.TransactionEventsRead));
                batch.BatchCommands.Add(append);
            }

            // Prepared: each pooled connection parses and plans the statements once, later batches only bind
            // (a statement already prepared on the connection costs no round trip).
            await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < events.Count; i++)
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var ledgerEvent = events[i];
                results[i] = reader.IsDBNull(0)
                    ? GroupAppendResult.Rejected(ledgerEvent.PlayerUuid is not null && ledgerEvent.Version != reader.GetInt64(1) + 1
                        ? AppendOutcome.VersionConflict
                        : AppendOutcome.DuplicateKey)
                    : GroupAppendResult.Committed(ledgerEvent with { Sequence = reader.GetInt64(0), TransactionEventsRead = null, NoEffect = null });
            }
        }

        if (BeforeAppendCommit is { } hook)
        {
            foreach (var result in results)
            {
                if (result.Appended is { } appended)
                {
                    await hook(appended, appended.Sequence, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        progress.CommitSent = true;
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// Why a lone append failed: a unique violation maps as in SQLite (only reachable if something
    /// appends without the ledger lock); anything else fails that append.
    /// </summary>
    private static GroupAppendResult Refused(Exception exception) => exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique
        ? GroupAppendResult.Rejected(unique.ConstraintName == "ux_ledger_events_player_version" ? AppendOutcome.VersionConflict : AppendOutcome.DuplicateKey)
        : GroupAppendResult.Failed(exception);

    private static void BindEvent(NpgsqlParameterCollection parameters, LedgerEvent e)
    {
        foreach (var column in LedgerEventRow.Values(e))
        {
            var type = column.Type switch
            {
                LedgerColumnType.BigInt => NpgsqlDbType.Bigint,
                LedgerColumnType.SmallInt => NpgsqlDbType.Smallint,
                LedgerColumnType.Uuid => NpgsqlDbType.Uuid,
                _ => NpgsqlDbType.Text,
            };
            parameters.Add(Parameter(column.Name, type, column.Value));
        }
    }

    /// <summary>Move consumer <c>@c</c>'s position forward to <c>@pos</c> (never back), at <c>@at</c>; no trailing semicolon, so that it can sit in a <c>WITH</c>.</summary>
    private const string MovePositionSql = """
        INSERT INTO notification_positions (consumer, position, updated_us) VALUES (@c, @pos, @at)
        ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_us = excluded.updated_us
        WHERE excluded.position > notification_positions.position
        """;

    private Task<IReadOnlyList<LedgerEvent>> ReadEventsAsync(string where, Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        ReadEventsAsync(LedgerEventRow.SelectColumns, LedgerEventRow.Read, where, bind, cancellationToken);

    /// <summary>As <see cref="ReadEventsAsync(string, Action{NpgsqlCommand}, CancellationToken)"/> for a listing: without the notification messages.</summary>
    private Task<IReadOnlyList<LedgerEvent>> ReadListedEventsAsync(string where, Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        ReadEventsAsync(LedgerEventRow.ListedColumns, LedgerEventRow.ReadListed, where, bind, cancellationToken);

    private Task<IReadOnlyList<LedgerEvent>> ReadEventsAsync(
        string columns, Func<DbDataReader, LedgerEvent> read, string where, Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        OnceMoreIfDroppedAsync<IReadOnlyList<LedgerEvent>>(async () =>
        {
            await using var command = _dataSource.CreateCommand($"SELECT {columns} FROM ledger_events {where};");
            bind(command);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var events = new List<LedgerEvent>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                events.Add(read(reader));
            }

            return events;
        });

    /// <summary>A random 32-byte key kept in <c>settings</c>, created by whichever node asks first.</summary>
    private Task<byte[]> ReadSettingKeyAsync(string key, CancellationToken cancellationToken) =>
        OnceMoreIfDroppedAsync(async () =>
        {
            // Two statements in one round trip; the second sees the first's insert, or the row another node
            // committed first (the insert waits for it on the key). Run twice, the second finds the first's key.
            await using var command = _dataSource.CreateCommand("""
                INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT DO NOTHING;
                SELECT value FROM settings WHERE key = @key;
                """);
            command.Parameters.Add(Parameter("key", NpgsqlDbType.Text, key));
            command.Parameters.Add(Parameter("value", NpgsqlDbType.Bytea, RandomNumberGenerator.GetBytes(32)));
            return (byte[])(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        });

    /// <summary>
    /// Runs <paramref name="run"/> (a read, or a write that may run twice) once more when it met a
    /// connection the server had closed. After PostgreSQL restarts, the pool still holds connections to
    /// the server that is gone, and the first one used fails; Npgsql then empties the pool, so the second
    /// attempt opens a fresh connection. Without it the first request after a restart would answer 503.
    /// </summary>
    private async Task<T> OnceMoreIfDroppedAsync<T>(Func<Task<T>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (NpgsqlException exception) when (IsClosedByServer(exception))
        {
            LogRunAgain(_logger, exception);
            return await run().ConfigureAwait(false);
        }
    }

    private async Task OnceMoreIfDroppedAsync(Func<Task> run)
    {
        try
        {
            await run().ConfigureAwait(false);
        }
        catch (NpgsqlException exception) when (IsClosedByServer(exception))
        {
            LogRunAgain(_logger, exception);
            await run().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A pooled connection the server closed: the server's goodbye (an administrator's or a crash shutdown),
    /// or the socket ended or reset under a command. Not a connection that could not be opened (the server
    /// down or unreachable: trying again would only double the wait for the 503) nor a timeout.
    /// </summary>
    internal static bool IsClosedByServer(NpgsqlException exception) => exception switch
    {
        PostgresException refusal => refusal.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown,
        _ => exception.InnerException is IOException,
    };

    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long key, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "SELECT pg_advisory_xact_lock(@lock);", transaction);
        command.Parameters.Add(Parameter("lock", NpgsqlDbType.Bigint, key));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null) =>
        new(sql, connection, transaction);

    /// <summary>Every parameter is typed, so that a null needs no inference from its context.</summary>
    private static NpgsqlParameter Parameter(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };
}
