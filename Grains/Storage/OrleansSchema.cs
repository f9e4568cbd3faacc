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
            async token =>
            {
                await RequireServerVersionAsync(dataSource, token).ConfigureAwait(false);
                await PostgresMigrations.RunAsync(dataSource, "orleans_schema_version", "orleans-postgres", SchemaVersion, version => LogMigrated(logger, version), token).ConfigureAwait(false);
            },
            (exception, _, _) => LogWaiting(logger, exception.Message),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The oldest PostgreSQL the Orleans schema runs on: its grain-state key is a unique index with <c>NULLS NOT DISTINCT</c> (PostgreSQL 15).</summary>
    public const int MinimumServerVersion = 150000;

    /// <summary>Null when a server of <paramref name="serverVersionNum"/> (<c>server_version_num</c>) can hold the schema; else why not.</summary>
    public static string? RefuseServerVersion(int serverVersionNum) =>
        serverVersionNum >= MinimumServerVersion
            ? null
            : $"Cluster mode needs PostgreSQL {MinimumServerVersion / 10000} or later (its Orleans schema uses NULLS NOT DISTINCT); this server is version {serverVersionNum / 10000}.{serverVersionNum % 10000}.";

    private static async Task RequireServerVersionAsync(Npgsql.NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SHOW server_version_num;");
        var version = int.Parse((string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!, System.Globalization.CultureInfo.InvariantCulture);
        if (RefuseServerVersion(version) is { } refusal)
        {
            throw new InvalidOperationException(refusal);
        }
    }
}
