using Entitlements.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Entitlements.Hosting;

public static class EmbeddedClusterExtensions
{
    /// <summary>The <c>Orleans</c> configuration section (defaults where absent).</summary>
    public static OrleansClusterOptions GetOrleansClusterOptions(this IConfiguration configuration) =>
        configuration.GetSection(OrleansClusterOptions.SectionName).Get<OrleansClusterOptions>() ?? new OrleansClusterOptions();

    /// <summary>
    /// The clustering <c>Orleans:Mode</c> selects: localhost clustering (<see cref="UseEmbeddedCluster"/>) or
    /// PostgreSQL membership, grain state and reminders (<see cref="PostgresClusterExtensions.UsePostgresCluster(ISiloBuilder, IConfiguration)"/>).
    /// </summary>
    public static ISiloBuilder UseConfiguredCluster(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetOrleansClusterOptions().Mode == OrleansMode.Cluster
            ? builder.UsePostgresCluster(configuration)
            : builder.UseEmbeddedCluster(configuration);
    }

    /// <summary>
    /// Localhost clustering with the ports and ids of the <c>Orleans</c> configuration section, and the
    /// messaging overrides of <see cref="PostgresClusterExtensions.MessagingSection"/> as in cluster mode (the
    /// co-hosted gateway's grain calls use the silo's <c>ResponseTimeout</c>). On PostgreSQL the silo holds the
    /// database's embedded-mode lock (<see cref="EmbeddedSiloLock"/>), so that a second embedded silo on it does not start.
    /// </summary>
    public static ISiloBuilder UseEmbeddedCluster(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = PostgresClusterExtensions.CheckedClusterOptions(configuration, listens: true);
        PostgresClusterExtensions.AddSiloMessagingOptions(builder.Services, configuration);
        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        if (string.Equals(storage.Provider, StorageOptions.PostgreSql, StringComparison.OrdinalIgnoreCase))
        {
            var connectionString = EntitlementsSiloBuilderExtensions.PostgresConnectionString(storage);
            builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new EmbeddedSiloLock(
                connectionString, storage, sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<EmbeddedSiloLock>>()));
        }

        return builder.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
    }
}
