using System.Data.Common;
using Entitlements.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Entitlements.Gateway.Diagnostics;

/// <summary>
/// Ready when the configured database answers a read of the schema version within a few seconds and
/// would take writes: the SQLite file (opened read-write, never created; a file SQLite could only open
/// read-only is not ready) or the PostgreSQL server (a server in recovery, such as a standby left after a
/// fail-over, or one whose sessions start read-only, is not ready). Otherwise every grant would answer 503
/// while the probe said ready. Read from the <c>Storage</c> section itself, so it works whether or not this
/// process hosts the store (a cluster-mode gateway does not). For SQLite it also reports the library's
/// threading mode (<see cref="SqliteEngine"/>): <c>serialized</c> means something opened a connection before
/// the settings went in.
/// </summary>
public sealed class DatabaseHealthCheck : IHealthCheck, IAsyncDisposable
{
    private const int TimeoutSeconds = 3;
    private const int PoolSize = 2;
    private const string VersionQuery = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
    private const string PostgresQuery =
        "SELECT COALESCE(MAX(version), 0), pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on' FROM schema_version;";

    private readonly StorageOptions _storage;
    private readonly Lazy<NpgsqlDataSource> _postgres;

    public DatabaseHealthCheck(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        _postgres = new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(HealthConnectionString(_storage.ConnectionString)));
    }

    private bool IsPostgres => string.Equals(_storage.Provider, StorageOptions.PostgreSql, StringComparison.OrdinalIgnoreCase);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var engine = IsPostgres ? StorageOptions.PostgreSql : StorageOptions.Sqlite;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(TimeoutSeconds));
            var (version, readOnly) = await SchemaVersionAsync(timeout.Token);
            if (readOnly)
            {
                return HealthCheckResult.Unhealthy($"{engine} is read-only.", data: new Dictionary<string, object> { ["engine"] = engine, ["schemaVersion"] = version });
            }

            var data = new Dictionary<string, object> { ["engine"] = engine, ["schemaVersion"] = version };
            if (!IsPostgres)
            {
                data["threading"] = SqliteEngine.MultiThreaded ? "multi-thread" : "serialized";
            }

            return HealthCheckResult.Healthy($"{engine} answers (schema version {version}).", data);
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException or OperationCanceledException or TimeoutException or ArgumentException)
        {
            // The exception goes to the health log; the public body names only what failed.
            return HealthCheckResult.Unhealthy($"{engine} does not answer.", exception, new Dictionary<string, object> { ["engine"] = engine });
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres.IsValueCreated)
        {
            await _postgres.Value.DisposeAsync();
        }
    }

    /// <summary>
    /// The health pool's connection string: the store's, with the check's timeouts and name, and at most
    /// <see cref="PoolSize"/> connections unless the store's string sets its own maximum (one check runs at a
    /// time; see <see cref="ReadinessReport"/>).
    /// </summary>
    internal static string HealthConnectionString(string? connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Timeout = TimeoutSeconds,
            CommandTimeout = TimeoutSeconds,
            ApplicationName = "entitlements-health",
        };
        // The builder's own ContainsKey answers for every keyword it knows; its string names only those set.
        if (!new DbConnectionStringBuilder { ConnectionString = builder.ConnectionString }.ContainsKey("Maximum Pool Size"))
        {
            builder.MaxPoolSize = Math.Max(PoolSize, builder.MinPoolSize);
        }

        return builder.ConnectionString;
    }

    /// <summary>The schema version, and whether the database would refuse writes.</summary>
    private async Task<(long Version, bool ReadOnly)> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        if (IsPostgres)
        {
            await using var connection = await _postgres.Value.OpenConnectionAsync(cancellationToken);
            await using var query = connection.CreateCommand();
            query.CommandText = PostgresQuery;
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (reader.GetInt64(0), reader.GetBoolean(1));
        }

        var path = _storage.DatabasePath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"No database file at {path}.");
        }

        // The process-wide settings go in before this connection, should it be the process's first.
        _ = SqliteEngine.MultiThreaded;
        await using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            DefaultTimeout = TimeoutSeconds,
        }.ConnectionString);
        await sqlite.OpenAsync(cancellationToken);
        await using var command = sqlite.CreateCommand();
        command.CommandText = VersionQuery;
        var version = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);

        // SQLite opens a file it may not write read-only, without a word.
        return (version, SQLitePCL.raw.sqlite3_db_readonly(sqlite.Handle, "main") == 1);
    }
}
