using Entitlements.Storage;
using Entitlements.Tests.Cluster;

namespace Entitlements.Tests.Postgres;

/// <summary>The one-silo test cluster of <see cref="ClusterFixture"/>, storing in a fresh PostgreSQL database.</summary>
public sealed class PostgresClusterFixture(PostgresServer server) : ClusterFixture
{
    private string? _database;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await server.DropDatabaseAsync(_database);
        }
    }

    protected override async Task AddSettingsAsync(IDictionary<string, string?> settings)
    {
        _database = await server.CreateDatabaseAsync();
        settings[$"{StorageOptions.SectionName}:{nameof(StorageOptions.Provider)}"] = StorageOptions.PostgreSql;
        settings[$"{StorageOptions.SectionName}:{nameof(StorageOptions.ConnectionString)}"] = _database;
    }
}
