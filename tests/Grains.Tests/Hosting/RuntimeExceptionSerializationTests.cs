using System.Globalization;
using Entitlements.Hosting;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Serialization;
using Polly.Timeout;

namespace Entitlements.Tests.Hosting;

/// <summary>
/// The exception a silo's grain placement fails with when it times out while silos die: a
/// <see cref="TimeoutException"/> around Polly's <see cref="TimeoutRejectedException"/>. A silo set up as
/// the hosts set it up writes it, and a cluster-mode client (the gateway) reads it back as the timeout it
/// is. Without the setting the silo could not write it and the caller got a <c>CodecNotFoundException</c>,
/// which the gateway answered 500. Hosts are built, not started: no database is needed.
/// </summary>
public sealed class RuntimeExceptionSerializationTests
{
    [Fact]
    public void PlacementTimeout_WrittenByASilo_IsReadByAClusterClientAsTheTimeout()
    {
        var placement = new TimeoutException("Placement did not finish in time.", new TimeoutRejectedException("The operation didn't complete within the allowed timeout of '00:00:30'."));

        var read = FromSiloToClient(placement);

        var timeout = Assert.IsType<TimeoutException>(read);
        Assert.Equal("Placement did not finish in time.", timeout.Message);
        var inner = Assert.IsType<TimeoutRejectedException>(timeout.InnerException);
        Assert.Equal("The operation didn't complete within the allowed timeout of '00:00:30'.", inner.Message);
    }

    [Fact]
    public void StoredSystemGrainFailure_WrittenByASilo_IsReadByAClusterClientWithTheDatabaseError()
    {
        // Orleans' stream rendezvous grain, kept in PubSubStore, failing to activate while the database does not answer.
        var activation = new OrleansException("Error from storage provider during ReadStateAsync.", new NpgsqlException("Exception while connecting", new TimeoutException("The operation has timed out.")));

        var read = FromSiloToClient(activation);

        var orleans = Assert.IsType<OrleansException>(read);
        Assert.Equal("Error from storage provider during ReadStateAsync.", orleans.Message);
        var database = Assert.IsType<NpgsqlException>(orleans.InnerException);
        Assert.Equal("Exception while connecting", database.Message);
        Assert.Equal("The operation has timed out.", Assert.IsType<TimeoutException>(database.InnerException).Message);
    }

    /// <summary><paramref name="exception"/> written by a silo's serializer and read by a cluster client's.</summary>
    private static Exception FromSiloToClient(Exception exception)
    {
        using var silo = BuildSilo();
        using var client = BuildClient();
        var bytes = silo.Services.GetRequiredService<Serializer>().SerializeToArray(exception);
        return Assert.IsAssignableFrom<Exception>(client.Services.GetRequiredService<Serializer>().Deserialize<Exception>(bytes));
    }

    private static IHost BuildSilo()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "exception-serialization-" + Guid.NewGuid().ToString("N")),
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        });
        builder.UseOrleans(silo => silo.UseConfiguredCluster(builder.Configuration).AddEntitlements(builder.Configuration));
        return builder.Build();
    }

    private static IHost BuildClient()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "Cluster",
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=entitlements;Password=unused;Database=entitlements",
        });
        builder.UseOrleansClient(client => client.UsePostgresCluster(builder.Configuration));
        return builder.Build();
    }
}
