using Microsoft.Extensions.Configuration;

namespace Entitlements.Hosting;

public static class EmbeddedClusterExtensions
{
    /// <summary>Localhost clustering with the ports and ids of the <c>Orleans</c> configuration section.</summary>
    public static ISiloBuilder UseEmbeddedCluster(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(EmbeddedClusterOptions.SectionName).Get<EmbeddedClusterOptions>() ?? new EmbeddedClusterOptions();
        return builder.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
    }
}
