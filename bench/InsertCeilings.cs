using System.Data.Common;
using System.Diagnostics;
using Entitlements.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Entitlements.Bench;

/// <summary>One durable-insert ceiling: rows committed per second in one way of writing.</summary>
internal sealed record InsertCeiling(string Engine, string Mode, int Writers, int RowsPerTransaction, long Rows, double Seconds)
{
    public double RowsPerSecond => Rows / Seconds;

    public double CommitsPerSecond => RowsPerSecond / RowsPerTransaction;
}

/// <summary>
/// Figure (b): how many rows per second the database itself makes durable, without the system around
/// it. Rows go into the ledger's own table (schema created by the store's own migration), with the
/// engine configured as the store configures it: SQLite in WAL mode with <c>synchronous = FULL</c> and the store's checkpoint threshold,
/// PostgreSQL with <c>fsync</c> and <c>synchronous_commit</c> on. Each writer has its own connection.
/// </summary>
internal static class InsertCeilings
{
    private const string InsertSql = """
        INSERT INTO ledger_events (event_id, kind, player_uuid, version, created_us, last_modified_us, action_type, status,
            entitlement_type, platform, platform_user_id, sku, quantity, platform_transaction_id, platform_data)
        VALUES (@id, 0, @player, 1, @now, @now, 'grant', 'success', 'consumable', 'Steam', @user, 'gems_100', 1, @tx, '{"source":"bench"}')
        """;

    public static async Task<IReadOnlyList<InsertCeiling>> SqliteAsync(string directory, TimeSpan duration, int batch)
    {
        var options = Options.Create(new StorageOptions { DataDirectory = directory, DatabaseFile = "insert-ceiling.db" });
        using (var store = new SqliteLedgerStore(options))
        {
            await store.InitializeAsync();
        }

        var connectionString = new SqliteConnectionStringBuilder { DataSource = options.Value.DatabasePath, Pooling = false, DefaultTimeout = 30 }.ToString();
        async Task<DbConnection> OpenAsync()
        {
            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = {SqliteLedgerStore.WalAutoCheckpointPages};";
            await pragma.ExecuteNonQueryAsync();
            return connection;
        }

        // SQLite has one writer at a time, so one writer is its ceiling.
        return
        [
            await MeasureAsync("SQLite", "single-row transactions", OpenAsync, writers: 1, rowsPerTransaction: 1, ledgerLock: false, duration, uuidAsText: true),
            await MeasureAsync("SQLite", $"batched, {batch} rows per transaction", OpenAsync, writers: 1, rowsPerTransaction: batch, ledgerLock: false, duration, uuidAsText: true),
        ];
    }

    public static async Task<IReadOnlyList<InsertCeiling>> PostgresAsync(string connectionString, TimeSpan duration, int batch, int writers)
    {
        // The gateway's own connection settings (synchronous_commit on for every session, whatever the server says).
        await using var dataSource = PostgresConnectionDefaults.CreateDataSource(connectionString);
        await new PostgresLedgerStore(dataSource, NullLogger<PostgresLedgerStore>.Instance).InitializeAsync();
        async Task<DbConnection> OpenAsync() => await dataSource.OpenConnectionAsync();
        return
        [
            await MeasureAsync("PostgreSQL", "single-row transactions", OpenAsync, writers: 1, rowsPerTransaction: 1, ledgerLock: false, duration, uuidAsText: false),
            await MeasureAsync("PostgreSQL", "single-row transactions", OpenAsync, writers, rowsPerTransaction: 1, ledgerLock: false, duration, uuidAsText: false),
            await MeasureAsync("PostgreSQL", "single-row transactions under the ledger's advisory lock", OpenAsync, writers, rowsPerTransaction: 1, ledgerLock: true, duration, uuidAsText: false),
            await MeasureAsync("PostgreSQL", $"batched, {batch} rows per transaction", OpenAsync, writers: 1, rowsPerTransaction: batch, ledgerLock: false, duration, uuidAsText: false),
        ];
    }

    private static async Task<InsertCeiling> MeasureAsync(
        string engine, string mode, Func<Task<DbConnection>> open, int writers, int rowsPerTransaction, bool ledgerLock, TimeSpan duration, bool uuidAsText)
    {
        var connections = new List<DbConnection>();
        for (var i = 0; i < writers; i++)
        {
            connections.Add(await open());
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var counts = await Task.WhenAll(connections.Select(connection => Task.Run(async () =>
            {
                var rows = 0L;
                while (Stopwatch.GetTimestamp() < end)
                {
                    await using var transaction = await connection.BeginTransactionAsync();
                    if (ledgerLock)
                    {
                        await using var lockCommand = connection.CreateCommand();
                        lockCommand.Transaction = transaction;
                        lockCommand.CommandText = "SELECT pg_advisory_xact_lock(5003064232328822785);"; // PostgresLedgerStore.LedgerLock
                        await lockCommand.ExecuteNonQueryAsync();
                    }

                    if (connection.CanCreateBatch)
                    {
                        // One round trip for the whole batch (PostgreSQL).
                        await using var batch = connection.CreateBatch();
                        batch.Transaction = transaction;
                        for (var r = 0; r < rowsPerTransaction; r++)
                        {
                            var command = batch.CreateBatchCommand();
                            command.CommandText = InsertSql;
                            Bind(command.Parameters, command.CreateParameter, uuidAsText);
                            batch.BatchCommands.Add(command);
                        }

                        await batch.ExecuteNonQueryAsync();
                    }
                    else
                    {
                        for (var r = 0; r < rowsPerTransaction; r++)
                        {
                            await using var insert = connection.CreateCommand();
                            insert.Transaction = transaction;
                            insert.CommandText = InsertSql;
                            Bind(insert.Parameters, insert.CreateParameter, uuidAsText);
                            await insert.ExecuteNonQueryAsync();
                        }
                    }

                    await transaction.CommitAsync();
                    rows += rowsPerTransaction;
                }

                return rows;
            })));
            var seconds = LoadGenerator.TicksToMs(Stopwatch.GetTimestamp() - started) / 1000;
            return new InsertCeiling(engine, mode, writers, rowsPerTransaction, counts.Sum(), seconds);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>One row's values: a new event of a new player (version 1), its own transaction id.</summary>
    private static void Bind(DbParameterCollection parameters, Func<DbParameter> create, bool uuidAsText)
    {
        var id = Guid.NewGuid().ToString("N");
        void Add(string name, object value)
        {
            var parameter = create();
            parameter.ParameterName = name;
            parameter.Value = value;
            parameters.Add(parameter);
        }

        Add("id", id);
        Add("player", uuidAsText ? Guid.NewGuid().ToString("D") : Guid.NewGuid());
        Add("now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000);
        Add("user", "bench-" + id[..8]);
        Add("tx", "bench-tx-" + id);
    }
}
