using System.Data.Common;
using Npgsql;

namespace Entitlements.Storage;

/// <summary>
/// Timeouts that make a request fail fast while PostgreSQL is down or unreachable, applied when the
/// connection string does not set its own. Npgsql's defaults (15 s to connect, 30 s per command) would
/// hold a request, and the grain call behind it, for half a minute before it could be answered 503.
/// </summary>
public static class PostgresConnectionDefaults
{
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
