using System.Globalization;
using Entitlements.Hosting;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Storage;

namespace Entitlements.Tests.Postgres;

/// <summary>
/// The grain storages of a cluster-mode silo (<see cref="PostgresClusterExtensions.UsePostgresCluster(ISiloBuilder, IConfiguration)"/>),
/// started against a fresh database. A cleared state used to keep its row with a NULL payload: every
/// stream's rendezvous row, about two per player ever notified, stayed for good once the stream was idle.
/// </summary>
[Collection(PostgresDefinition.Name)]
public sealed class PostgresClusterStorageTests(PostgresServer server)
{
    [Theory]
    [InlineData(PostgresClusterExtensions.PubSubStore)]
    [InlineData("Default")]
    public async Task ClearState_OfAStoredState_DeletesItsRow(string storageName)
    {
        var database = await server.CreateDatabaseAsync();
        try
        {
            using var host = await StartSiloAsync(database);
            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(storageName);
            var grainId = GrainId.Create("pubsubrendezvous", "Notifications/player/" + Guid.NewGuid().ToString("N"));
            var state = new GrainState<List<string>>(["subscription"]);

            await storage.WriteStateAsync("PubSubRendezvousGrain", grainId, state);
            var written = await CountAsync(database);
            await storage.ClearStateAsync("PubSubRendezvousGrain", grainId, state);

            Assert.Equal(1, written);
            Assert.Equal(0, await CountAsync(database));
            Assert.False(state.RecordExists);
            Assert.Null(state.ETag);
            await host.StopAsync();
        }
        finally
        {
            await server.DropDatabaseAsync(database);
        }
    }

    private static async Task<IHost> StartSiloAsync(string database)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "Cluster",
            ["Orleans:ClusterId"] = "storage-" + Guid.NewGuid().ToString("N"),
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = database,
        });
        builder.UseOrleans(silo => silo.UsePostgresCluster(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<long> CountAsync(string database)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM orleans_grain_state WHERE state_name = 'PubSubRendezvousGrain'");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
