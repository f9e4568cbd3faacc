using Entitlements.Storage;
using Npgsql;

namespace Entitlements.Tests.Postgres;

/// <summary>
/// The ledger's connections commit durably even on a database set to <c>synchronous_commit = off</c>,
/// where a plain connection acknowledges a commit before its WAL is flushed.
/// </summary>
[Collection(PostgresDefinition.Name)]
public sealed class PostgresDurableCommitTests(PostgresServer server)
{
    [Fact]
    public async Task LedgerConnections_OnADatabaseSetToAsynchronousCommit_CommitSynchronously()
    {
        var connectionString = await server.CreateDatabaseAsync();
        try
        {
            var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
            await using (var plain = NpgsqlDataSource.Create(connectionString))
            {
                await using var alter = plain.CreateCommand($"ALTER DATABASE {database} SET synchronous_commit = off");
                await alter.ExecuteNonQueryAsync();
            }

            // Reconnect (no pooled connection from before the ALTER): a plain connection now commits asynchronously.
            await using var asGiven = NpgsqlDataSource.Create(connectionString + ";Pooling=false");
            await using var ledger = PostgresConnectionDefaults.CreateDataSource(connectionString);

            Assert.Equal("off", await SettingAsync(asGiven));
            Assert.Equal("on", await SettingAsync(ledger));
            Assert.Equal("on", await SettingAsync(ledger));
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    private static async Task<string> SettingAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var show = new NpgsqlCommand("SHOW synchronous_commit", connection, transaction);
        return (string)(await show.ExecuteScalarAsync())!;
    }
}
