using System.Diagnostics;
using Entitlements.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Entitlements.Tests.Postgres;

/// <summary>
/// The ledger's limits on PostgreSQL sessions: a transaction its client left idle does not hold the ledger
/// lock for ever, a schema migration (the Orleans schema's too) runs under the same limit, and a schema
/// migration is never cut off by the request command timeout.
/// </summary>
[Collection(PostgresDefinition.Name)]
public sealed class PostgresSessionLimitsTests(PostgresServer server)
{
    [Fact]
    public async Task LedgerTransaction_LeftIdleHoldingTheLedgerLock_IsEndedByTheServerAndTheLockFreed()
    {
        var connectionString = await server.CreateDatabaseAsync();
        try
        {
            await using var ledger = PostgresConnectionDefaults.CreateDataSource(connectionString);
            await using var plain = NpgsqlDataSource.Create(connectionString + ";Command Timeout=60");

            // A client that took the ledger lock and then stopped (its host died without closing the socket).
            await using var stopped = await ledger.OpenConnectionAsync();
            await using var transaction = await stopped.BeginTransactionAsync();
            await LockAsync(stopped, transaction, PostgresLedgerStore.LedgerLock);

            var waited = Stopwatch.StartNew();
            await using (var other = await plain.OpenConnectionAsync())
            {
                await using var otherTransaction = await other.BeginTransactionAsync();
                await LockAsync(other, otherTransaction, PostgresLedgerStore.LedgerLock);
                await otherTransaction.CommitAsync();
            }

            Assert.True(waited.Elapsed >= TimeSpan.FromSeconds(4), $"the lock was free after {waited.Elapsed}: it was never held");
            // 25P03: idle_in_transaction_session_timeout.
            var ended = await Assert.ThrowsAnyAsync<NpgsqlException>(() => LockAsync(stopped, transaction, PostgresLedgerStore.LedgerLock));
            Assert.Equal("25P03", (ended as PostgresException ?? ended.InnerException as PostgresException)?.SqlState);
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task OrleansSchemaMigration_RunsWithTheIdleInTransactionTimeout()
    {
        var connectionString = await server.CreateDatabaseAsync();
        try
        {
            // The migration holds the migration lock in its transaction: a process that died half way must
            // not keep it (and every start waiting for it) until TCP gives up. An event trigger records the
            // setting of the session that runs the migration's CREATE statements.
            await using (var plain = NpgsqlDataSource.Create(connectionString))
            await using (var setup = plain.CreateCommand("""
                CREATE TABLE migration_session (setting text NOT NULL);
                CREATE FUNCTION record_migration_session() RETURNS event_trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO migration_session VALUES (current_setting('idle_in_transaction_session_timeout'));
                END $$;
                CREATE EVENT TRIGGER record_migration_session ON ddl_command_start EXECUTE FUNCTION record_migration_session();
                """))
            {
                await setup.ExecuteNonQueryAsync();
            }

            await OrleansSchema.MigrateAsync(connectionString, NullLogger.Instance, new StorageOptions(), CancellationToken.None);

            await using var check = NpgsqlDataSource.Create(connectionString);
            await using var settings = check.CreateCommand("SELECT string_agg(DISTINCT setting, ',') FROM migration_session");
            Assert.Equal(PostgresConnectionDefaults.IdleInTransactionTimeout, await settings.ExecuteScalarAsync());
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task Migration_WaitingLongerThanTheCommandTimeoutForAnotherProcess_Completes()
    {
        var connectionString = await server.CreateDatabaseAsync();
        try
        {
            // Requests may wait one second per command here; the migration below waits three for the lock.
            await using var ledger = PostgresConnectionDefaults.CreateDataSource(connectionString + ";Command Timeout=1");
            await using var plain = NpgsqlDataSource.Create(connectionString);
            await using var other = await plain.OpenConnectionAsync();
            await using var otherTransaction = await other.BeginTransactionAsync();
            await LockAsync(other, otherTransaction, PostgresMigrations.MigrationLock);

            var migrated = new List<int>();
            var migrating = PostgresMigrations.RunAsync(ledger, "schema_version", "postgres", 5, migrated.Add, CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(migrating.IsCompleted, "the migration did not wait for the other process's lock");
            await otherTransaction.CommitAsync();
            await migrating;

            Assert.Equal([1, 2, 3, 4, 5], migrated);
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long key)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@lock)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter("lock", NpgsqlDbType.Bigint) { Value = key });
        await command.ExecuteNonQueryAsync();
    }
}
