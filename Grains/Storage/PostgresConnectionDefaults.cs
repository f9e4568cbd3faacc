using System.Data.Common;
using Npgsql;

namespace Entitlements.Storage;

/// <summary>
/// How the ledger connects to PostgreSQL.
/// <list type="bullet">
/// <item>Timeouts that make a request fail fast while PostgreSQL is down or unreachable, applied when the
/// connection string does not set its own. Npgsql's defaults (15 s to connect, 30 s per command) would
/// hold a request, and the grain call behind it, for half a minute before it could be answered 503.</item>
/// <item>Every connection runs with <c>synchronous_commit = on</c>, whatever the server, the database or
/// the role says: an acknowledged append must be on disk, and with <c>off</c> (a common speed setting)
/// PostgreSQL acknowledges a commit before its WAL is flushed, so a server crash could lose a grant the
/// caller was told succeeded.</item>
/// <item>A transaction left idle for <see cref="IdleInTransactionTimeout"/> is ended by the server. Every
/// transaction here is a short run of statements; one left idle belongs to a process that stopped or
/// lost its network half way (a host that died without closing its sockets), and the server would
/// otherwise keep it, and the ledger lock it may hold, until TCP gives up on the peer: minutes to hours
/// in which no silo could append.</item>
/// </list>
/// </summary>
public static class PostgresConnectionDefaults
{
    /// <summary>The ledger's pool of connections to <paramref name="connectionString"/>, with these defaults.</summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(Apply(connectionString));

        // A pooled connection is otherwise reset (DISCARD ALL) when it goes back to the pool, which would undo
        // the setting below after its first use. Nothing else here keeps session state: locks and the
        // planner settings of an append are the transaction's own.
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        builder.UsePhysicalConnectionInitializer(
            connection =>
            {
                using var command = new NpgsqlCommand(DurableCommitSql, connection);
                command.ExecuteNonQuery();
            },
            async connection =>
            {
                await using var command = new NpgsqlCommand(DurableCommitSql, connection);
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            });
        return builder.Build();
    }

    /// <summary>How long the server lets a transaction of the ledger's sit idle before it ends the session.</summary>
    public const string IdleInTransactionTimeout = "5s";

    /// <summary>Run on every new connection: a session setting outranks the server's, the database's and the role's.</summary>
    private const string DurableCommitSql = $"SET synchronous_commit = on; SET idle_in_transaction_session_timeout = '{IdleInTransactionTimeout}'";

    /// <summary>Seconds to open a connection (Npgsql <c>Timeout</c>; also the wait for a free pooled connection).</summary>
    public const int ConnectTimeoutSeconds = 3;

    /// <summary>Seconds a command may run (Npgsql <c>Command Timeout</c>).</summary>
    public const int CommandTimeoutSeconds = 10;

    /// <summary><paramref name="connectionString"/> with the defaults for whichever of the two timeouts it leaves out.</summary>
    public static string Apply(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var keys = given.Keys.Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!keys.Overlaps(["Timeout", "ConnectTimeout", "ConnectionTimeout"]))
        {
            builder.Timeout = ConnectTimeoutSeconds;
        }

        if (!keys.Contains("CommandTimeout"))
        {
            builder.CommandTimeout = CommandTimeoutSeconds;
        }

        return builder.ConnectionString;
    }
}
