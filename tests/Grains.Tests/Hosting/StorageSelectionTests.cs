using Entitlements.Hosting;
using Entitlements.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Entitlements.Tests.Hosting;

/// <summary><c>Storage:Provider</c> picks the store; a wrong configuration fails at start with a message that says what to set.</summary>
public sealed class StorageSelectionTests
{
    [Fact]
    public void AddLedgerStore_Default_RegistersSqlite()
    {
        using var services = Build(new StorageOptions { DataDirectory = Path.GetTempPath() });

        Assert.IsType<SqliteLedgerStore>(services.GetRequiredService<ILedgerStore>());
    }

    [Theory]
    [InlineData("PostgreSql")]
    [InlineData("postgresql")]
    public void AddLedgerStore_PostgreSqlWithConnectionString_RegistersPostgresAndOneDataSource(string provider)
    {
        using var services = Build(new StorageOptions { Provider = provider, ConnectionString = "Host=db.example;Username=entitlements;Database=entitlements" });

        Assert.IsType<PostgresLedgerStore>(services.GetRequiredService<ILedgerStore>());
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        Assert.Same(dataSource, services.GetRequiredService<NpgsqlDataSource>());
        // With the fail-fast timeouts the connection string left out, and no reset of the session's durable
        // commit setting between uses (PostgresConnectionDefaults).
        Assert.Equal("Host=db.example;Username=entitlements;Database=entitlements;Timeout=3;Command Timeout=10;No Reset On Close=True", dataSource.ConnectionString);
    }

    [Fact]
    public void AddLedgerStore_UnknownProvider_ThrowsNamingTheChoices()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => Build(new StorageOptions { Provider = "MySql" }));

        Assert.Equal("Storage:Provider 'MySql' is not supported; use 'Sqlite' or 'PostgreSql'.", exception.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void AddLedgerStore_PostgreSqlWithoutConnectionString_ThrowsSayingWhatToSet(string? connectionString)
    {
        var exception = Assert.Throws<InvalidOperationException>(() => Build(new StorageOptions { Provider = "PostgreSql", ConnectionString = connectionString }));

        Assert.StartsWith("Storage:Provider 'PostgreSql' needs Storage:ConnectionString (an Npgsql connection string", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddLedgerStore_MalformedConnectionString_ThrowsWithoutEchoingIt()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => Build(new StorageOptions { Provider = "PostgreSql", ConnectionString = "Host=db;Passwort=hunter2" }));

        Assert.StartsWith("Storage:ConnectionString is not a valid Npgsql connection string: ", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", exception.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(StorageOptions storage)
    {
        var services = new ServiceCollection();
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(storage));
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        EntitlementsSiloBuilderExtensions.AddLedgerStore(services, storage);
        return services.BuildServiceProvider();
    }
}
