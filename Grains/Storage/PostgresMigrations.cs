using System.Data;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Entitlements.Storage;

/// <summary>
/// Versioned schema scripts on PostgreSQL: <c>{prefix}-v1.sql</c>, <c>{prefix}-v2.sql</c>, ... from
/// <c>Storage/Sql</c>, each applied once and recorded in a version table. Everything runs in one
/// transaction that first takes the migration advisory lock, so processes starting together migrate
/// one after the other and the later ones find nothing left to do.
/// <para>
/// Its commands have no time limit (the ledger's 10 s command timeout is for requests): a script that
/// rebuilds an index of a large ledger, and a process waiting for another's migration, take as long as
/// they take. Were they cut off, the migration would be rolled back and started again for ever.
/// </para>
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>Advisory lock key held while any schema is created or migrated.</summary>
    public const long MigrationLock = 0x456E_7469_746C_0003;

    /// <summary>Bring the schema tracked in <paramref name="versionTable"/> up to <paramref name="targetVersion"/>; calls <paramref name="migrated"/> per applied version.</summary>
    public static async Task RunAsync(
        NpgsqlDataSource dataSource, string versionTable, string scriptPrefix, int targetVersion, Action<int> migrated, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand($"""
            SELECT pg_advisory_xact_lock(@lock);
            CREATE TABLE IF NOT EXISTS {versionTable} (version integer PRIMARY KEY, applied_us bigint NOT NULL);
            """, connection, transaction))
        {
            command.CommandTimeout = 0;
            command.Parameters.Add(new NpgsqlParameter("lock", NpgsqlDbType.Bigint) { Value = MigrationLock });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        long current;
        await using (var command = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {versionTable};", connection, transaction))
        {
            current = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        if (current > targetVersion)
        {
            throw new InvalidOperationException($"The database schema in {versionTable} is version {current}, newer than this build ({targetVersion}).");
        }

        for (var version = (int)current + 1; version <= targetVersion; version++)
        {
            await using (var script = new NpgsqlCommand(SqlScripts.Read($"{scriptPrefix}-v{version}.sql"), connection, transaction))
            {
                script.CommandTimeout = 0;
                await script.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using var mark = new NpgsqlCommand($"INSERT INTO {versionTable} (version, applied_us) VALUES (@v, @at);", connection, transaction);
            mark.Parameters.Add(new NpgsqlParameter("v", NpgsqlDbType.Integer) { Value = version });
            mark.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.Bigint) { Value = Time.ToMicros(DateTimeOffset.UtcNow) });
            await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            migrated(version);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
