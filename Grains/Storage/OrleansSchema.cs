using Microsoft.Extensions.Logging;

namespace Entitlements.Storage;

/// <summary>
/// The schema of Orleans' ADO.NET providers on PostgreSQL (<c>Storage/Sql/orleans-postgres-v*.sql</c>:
/// membership, grain state, reminders and the <c>OrleansQuery</c> statements), versioned apart from the
/// ledger's schema in <c>orleans_schema_version</c>. Silos and gateways in cluster mode all run it at
/// start, before Orleans reads its statements; the migration lock makes that safe when they start
/// together, and a database that is not up yet is waited for.
/// </summary>
public static partial class OrleansSchema
{
    /// <summary>The ADO.NET invariant of the PostgreSQL driver.</summary>
    public const string Invariant = "Npgsql";

    private const int SchemaVersion = 1;

    /// <summary>Bring the Orleans schema up to date, waiting for the database as the ledger's store does at start (<see cref="StartupPatience"/>).</summary>
    public static async Task MigrateAsync(string connectionString, ILogger logger, StorageOptions storage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logger);
        // The ledger's connection settings: the migration holds the migration lock in its transaction, and a
        // process that died half way must not keep it, and every start waiting for it, until TCP gives up.
        await using var dataSource = PostgresConnectionDefaults.CreateDataSource(connectionString);
        await StartupPatience.RunAsync(
            storage,
            "PostgreSQL (the Orleans schema)",
            token => PostgresMigrations.RunAsync(dataSource, "orleans_schema_version", "orleans-postgres", SchemaVersion, version => LogMigrated(logger, version), token),
            (exception, _, _) => LogWaiting(logger, exception.Message),
            cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL Orleans schema migrated to version {Version}")]
    private static partial void LogMigrated(ILogger logger, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is not reachable yet ({Reason}); retrying the Orleans schema migration")]
    private static partial void LogWaiting(ILogger logger, string reason);
}
