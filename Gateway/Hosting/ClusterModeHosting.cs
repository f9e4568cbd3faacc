using Entitlements.Diagnostics;
using Entitlements.Hosting;
using Entitlements.Notifications;
using Entitlements.Storage;

namespace Entitlements.Gateway.Hosting;

/// <summary>
/// The gateway's Orleans side, chosen by <c>Orleans:Mode</c>: <see cref="OrleansMode.Embedded"/> co-hosts a
/// silo with the entitlement grains (the default); <see cref="OrleansMode.Cluster"/> makes the gateway a
/// pure Orleans client of silos found in the PostgreSQL membership table. Either way the rest of the
/// gateway sees one <see cref="IClusterClient"/> and the <c>Notifications</c> stream provider.
/// </summary>
public static class ClusterModeHosting
{
    /// <summary>The webhook list (<c>WebhookOptions</c>), read by the silos only.</summary>
    public const string WebhooksKey = "Notifications:Webhooks";

    public static OrleansMode AddOrleans(
        this WebApplicationBuilder builder, Action<ISiloBuilder>? configureSilo = null, Action<IClientBuilder>? configureClient = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var mode = configuration.GetOrleansClusterOptions().Mode;
        if (mode == OrleansMode.Cluster)
        {
            // The webhook grains run on the silos and read the silos' configuration: a list given to a
            // cluster-mode gateway would be ignored, with no deliveries and no error.
            if (configuration.GetSection(WebhooksKey).GetChildren().Any())
            {
                throw new InvalidOperationException(
                    $"{WebhooksKey} is set on a gateway in cluster mode ({OrleansClusterOptions.SectionName}:Mode '{OrleansMode.Cluster}'), where it would be ignored: " +
                    "webhooks are delivered by the silos, so configure them on every silo (the same list on each) and not on the gateway.");
            }

            // The gateway may start before any silo: it creates the tables it reads, ahead of the client.
            builder.Services.AddStorageOptions(configuration);
            builder.Services.AddOrleansSchemaMigration(configuration);
            builder.UseOrleansClient(client =>
            {
                client.UsePostgresCluster(configuration).AddMemoryStreams(NotificationStreams.ProviderName);
                if (TelemetryOptions.GrainTracesOn(configuration))
                {
                    client.AddTracePropagation();
                }

                configureClient?.Invoke(client);
            });
            return mode;
        }

        builder.UseOrleans(silo =>
        {
            silo.UseEmbeddedCluster(configuration).AddEntitlements(configuration);
            configureSilo?.Invoke(silo);
        });
        return mode;
    }
}
