using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Entitlements.Bench;

/// <summary>
/// Gives a player a long history fast, with the gateway stopped: copies the player's first ledger row
/// (a grant the gateway recorded through the API, so in the store's own row format) as versions 2..N,
/// each with its own event id and transaction id, in one statement. The copies carry no notification
/// (the relay would otherwise publish them all at the next start) and there is no snapshot for them:
/// the first activation folds every event, as after an upgrade that dropped the snapshots.
/// </summary>
internal static class HistorySeed
{
    public static async Task CopyFirstEventAsync(DbConnection connection, Guid player, long upToVersion)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var postgres = connection is NpgsqlConnection;
        var columns = new List<string>();
        await using (var probe = connection.CreateCommand())
        {
            probe.CommandText = "SELECT * FROM ledger_events WHERE 1 = 0";
            await using var reader = await probe.ExecuteReaderAsync();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                columns.Add(reader.GetName(i));
            }
        }

        columns.Remove("seq");
        var values = columns.Select(column => column switch
        {
            "event_id" => "t.event_id || '-' || n.v",
            "version" => "n.v",
            "platform_transaction_id" => "t.platform_transaction_id || '-' || n.v",
            "order_id" => "t.event_id || '-' || n.v",
            "entitlement_updated" or "revocation_completed" => "NULL",
            _ => "t." + column,
        });
        var numbers = postgres
            ? "generate_series(2, @upTo) AS n(v)"
            : "(WITH RECURSIVE s(v) AS (SELECT 2 UNION ALL SELECT v + 1 FROM s WHERE v < @upTo) SELECT v FROM s) AS n";
        await using var command = connection.CreateCommand();
        command.CommandTimeout = 600;
        command.CommandText = $"""
            INSERT INTO ledger_events ({string.Join(", ", columns)})
            SELECT {string.Join(", ", values)}
            FROM {numbers} CROSS JOIN ledger_events t
            WHERE t.player_uuid = @player AND t.version = 1
            """;
        var playerParameter = command.CreateParameter();
        playerParameter.ParameterName = "player";
        playerParameter.Value = postgres ? player : player.ToString("D");
        command.Parameters.Add(playerParameter);
        var upTo = command.CreateParameter();
        upTo.ParameterName = "upTo";
        upTo.Value = upToVersion;
        command.Parameters.Add(upTo);
        var inserted = await command.ExecuteNonQueryAsync();
        if (inserted != upToVersion - 1)
        {
            throw new InvalidOperationException($"seeding player {player}: {inserted} rows inserted, {upToVersion - 1} expected");
        }
    }

    /// <summary>
    /// Leave the database as a long-running system would have it: the bulk insert checkpointed out of
    /// SQLite's WAL (else the gateway's first commits copy it back page by page), and PostgreSQL's
    /// statistics and a checkpoint done.
    /// </summary>
    public static async Task SettleAsync(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandTimeout = 600;
        command.CommandText = connection is NpgsqlConnection ? "ANALYZE ledger_events; CHECKPOINT;" : "PRAGMA wal_checkpoint(TRUNCATE);";
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<DbConnection> OpenSqliteAsync(string databasePath)
    {
        _ = Entitlements.Storage.SqliteEngine.MultiThreaded;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false, DefaultTimeout = 60 }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<DbConnection> OpenPostgresAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
