using Entitlements.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Entitlements.Tests.Postgres;

/// <summary>The Orleans schema on a database of its own: concurrent migration, and the grain-state write statements the provider runs.</summary>
[Collection(PostgresDefinition.Name)]
public sealed class OrleansSchemaTests(PostgresServer server) : IAsyncLifetime
{
    private string _database = null!;

    public async Task InitializeAsync()
    {
        _database = await server.CreateDatabaseAsync();
        // Four processes starting together: one migrates, the others find it done.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OrleansSchema.MigrateAsync(_database, NullLogger.Instance, new StorageOptions { StartupWaitSeconds = 10 }, CancellationToken.None)));
    }

    public Task DisposeAsync() => server.DropDatabaseAsync(_database);

    [Fact]
    public async Task MigrateAsync_FourAtOnce_AppliesVersionOneOnce()
    {
        Assert.Equal("1/1", await ScalarAsync("SELECT count(*) || '/' || max(version) FROM orleans_schema_version;"));
    }

    [Theory]
    [InlineData(140011, "Cluster mode needs PostgreSQL 15 or later (its Orleans schema uses NULLS NOT DISTINCT); this server is version 14.11.")]
    [InlineData(130000, "Cluster mode needs PostgreSQL 15 or later (its Orleans schema uses NULLS NOT DISTINCT); this server is version 13.0.")]
    [InlineData(150000, null)]
    [InlineData(170002, null)]
    public void RefuseServerVersion_BeforePostgres15_SaysWhy(int serverVersionNum, string? refusal) =>
        Assert.Equal(refusal, OrleansSchema.RefuseServerVersion(serverVersionNum));

    [Fact]
    public async Task WriteToStorage_SecondFirstWriteOfOneGrain_ReturnsNoVersion()
    {
        var first = await WriteAsync(version: null);
        var second = await WriteAsync(version: null);

        Assert.Equal(1, first);
        Assert.Null(second); // the provider raises InconsistentStateException
        Assert.Equal("1", await ScalarAsync("SELECT count(*) FROM orleans_grain_state;"));
    }

    [Fact]
    public async Task WriteToStorage_WithTheCurrentVersion_BumpsIt_AndWithAStaleOne_ReturnsNoVersion()
    {
        await WriteAsync(version: null);

        Assert.Equal(2, await WriteAsync(version: 1));
        Assert.Null(await WriteAsync(version: 1));
        Assert.Equal("2", await ScalarAsync("SELECT version FROM orleans_grain_state;"));
    }

    /// <summary>The stored <c>WriteToStorageKey</c> statement, bound as the provider binds it (a string-keyed grain).</summary>
    private async Task<int?> WriteAsync(int? version)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        var text = await ScalarAsync("SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey';");
        await using var command = new NpgsqlCommand(text, connection);
        command.Parameters.AddWithValue("GrainIdHash", 42);
        command.Parameters.AddWithValue("GrainIdN0", 0L);
        command.Parameters.AddWithValue("GrainIdN1", 0L);
        command.Parameters.AddWithValue("GrainTypeHash", 7);
        command.Parameters.AddWithValue("GrainTypeString", "player-state");
        command.Parameters.AddWithValue("GrainIdExtensionString", "player-1");
        command.Parameters.AddWithValue("ServiceId", "entitlements");
        command.Parameters.AddWithValue("GrainStateVersion", version is null ? DBNull.Value : version.Value);
        command.Parameters.AddWithValue("PayloadBinary", "{}"u8.ToArray());
        return await command.ExecuteScalarAsync() is int written ? written : null;
    }

    private async Task<string> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
