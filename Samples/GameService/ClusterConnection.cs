using Orleans.Configuration;

namespace Entitlements.Samples.GameService;

/// <summary>
/// How the service finds the cluster, from the keys the silos and gateways read. <c>Orleans:Mode</c>
/// <c>Embedded</c> (the default): the silo co-hosted by a gateway on this machine, through localhost
/// clustering on <c>Orleans:GatewayPort</c>. <c>Cluster</c>: the silos' client ports, listed in the
/// membership table of the cluster's PostgreSQL database (<c>Storage:ConnectionString</c>), as a
/// cluster-mode gateway finds them.
/// </summary>
public static class ClusterConnection
{
    /// <summary>
    /// The ADO.NET invariant of the cluster's database: the PostgreSQL driver, Npgsql, which Orleans loads by
    /// this name (left unset, Orleans would use SQL Server's). The silos create the tables and the
    /// <c>OrleansQuery</c> statements in that database; a client only reads them.
    /// </summary>
    public const string PostgresInvariant = "Npgsql";

    public static IClientBuilder UseEntitlementsCluster(this IClientBuilder client, IConfiguration configuration)
    {
        var orleans = configuration.GetSection("Orleans");
        var clusterId = orleans["ClusterId"] ?? "entitlements";
        var serviceId = orleans["ServiceId"] ?? "entitlements";

        // Orleans:Messaging:ResponseTimeout and the rest, as the gateways take them.
        client.Services.Configure<ClientMessagingOptions>(orleans.GetSection("Messaging"));

        var mode = orleans["Mode"] ?? "Embedded";
        if (mode.Equals("Embedded", StringComparison.OrdinalIgnoreCase))
        {
            return client.UseLocalhostClustering(orleans.GetValue("GatewayPort", 30000), serviceId, clusterId);
        }

        if (!mode.Equals("Cluster", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Orleans:Mode '{mode}' is not supported; use 'Embedded' or 'Cluster'.");
        }

        var connectionString = configuration["Storage:ConnectionString"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "Orleans:Mode 'Cluster' needs Storage:ConnectionString: the Npgsql connection string of the cluster's PostgreSQL database, where the silos list their client ports.");
        }

        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = serviceId;
        });
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresInvariant;
            o.ConnectionString = connectionString;
        });

        // How soon a silo that joined, or came back, is used (a silo that died is dropped when its connection fails).
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        return client;
    }
}
