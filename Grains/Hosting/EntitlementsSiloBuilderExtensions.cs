using Entitlements.Catalog;
using Entitlements.Diagnostics;
using Entitlements.Notifications;
using Entitlements.Paging;
using Entitlements.Storage;
using Entitlements.Webhooks;
using Entitlements.Xbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Entitlements.Hosting;

public static class EntitlementsSiloBuilderExtensions
{
    /// <summary>
    /// The longest relay, keep-alive or stream poll interval taken (a day): far above any useful value, and far
    /// below what Orleans' and .NET's timers refuse (about 49.7 days), which would stop the start with an error
    /// that does not name the key, or turn the keep-alive off without a word. A bare number is days
    /// (<c>60</c> is 60 days), a common slip for seconds.
    /// </summary>
    private static readonly TimeSpan LongestInterval = TimeSpan.FromDays(1);

    /// <summary>
    /// Everything a silo needs to host the entitlement grains: the store named by <c>Storage:Provider</c>,
    /// the ledger and catalog options, and a start-up step that creates the schema and seeds the catalog
    /// before the silo takes calls.
    /// </summary>
    public static ISiloBuilder AddEntitlements(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = builder.Services;
        // Every section is bound and checked when the host starts, so that a value that does not parse or
        // is out of range stops the start with its key instead of failing the first call that reads it.
        services.AddStorageOptions(configuration);
        services.AddOptions<LedgerOptions>().Bind(configuration.GetSection(LedgerOptions.SectionName))
            .Validate(o => o.SnapshotEvery >= 1, "Ledger:SnapshotEvery must be at least 1.")
            .ValidateOnStart();
        services.AddOptions<CatalogOptions>().Bind(configuration.GetSection(CatalogOptions.SectionName)).ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddRuntimeExceptionSerialization();
        services.AddMetrics();
        services.AddSingleton<GrainMetrics>();

        AddLedgerStore(services, configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions());
        builder.AddIncomingGrainCallFilter<StoreFailureCallFilter>();

        // With traces wanted, the caller's trace follows every grain call, so a grain's log lines and
        // notifications name the request.
        if (TelemetryOptions.GrainTracesOn(configuration))
        {
            builder.AddTracePropagation();
        }

        services.AddSingleton<CursorCodec>();
        services.AddSingleton<CatalogSeeder>();

        AddNotifications(builder, configuration);
        AddWebhooks(services, configuration);
        AddStartSequence(builder);

        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ConsumerKeepAlive>();

        builder.AddXboxCollections(configuration);
        return builder;
    }

    /// <summary>
    /// Notifications: written with the ledger, relayed to memory streams. The streams are not durable; the
    /// ledger is, and the relay publishes from its stored position after any restart.
    /// </summary>
    private static void AddNotifications(ISiloBuilder builder, IConfiguration configuration)
    {
        var services = builder.Services;
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection(NotificationOptions.SectionName))
            .PostConfigure(o => o.Namespace = configuration["AccelByte:Namespace"] ?? NotificationOptions.DefaultNamespace)
            .Validate(_ => configuration["Notifications:Namespace"] is null, "Notifications:Namespace is not read: set AccelByte:Namespace, the same on silos and gateways.")
            .Validate(o => o.BatchSize >= 1, "Notifications:BatchSize must be at least 1.")
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.PollInterval <= LongestInterval, "Notifications:PollInterval must be more than 00:00:00 and at most 1.00:00:00.")
            .Validate(o => o.KeepAliveInterval >= TimeSpan.Zero && o.KeepAliveInterval <= LongestInterval, "Notifications:KeepAliveInterval must be from 00:00:00 (off) to 1.00:00:00.")
            .Validate(o => o.PositionWriteInterval >= TimeSpan.Zero, "Notifications:PositionWriteInterval must not be negative.")
            .Validate(o => o.RelayStreamsPerActivation >= 1, "Notifications:RelayStreamsPerActivation must be at least 1.")
            .Validate(o => o.StreamPollInterval > TimeSpan.Zero && o.StreamPollInterval <= LongestInterval, "Notifications:StreamPollInterval must be more than 00:00:00 and at most 1.00:00:00.")
            .Validate(o => o.StreamCacheWindow > TimeSpan.Zero, "Notifications:StreamCacheWindow must be positive.")
            .Validate(o => o.StreamInactivityPeriod > TimeSpan.Zero && o.StreamInactivityPeriod <= LongestInterval, "Notifications:StreamInactivityPeriod must be more than 00:00:00 and at most 1.00:00:00.")
            .ValidateOnStart();
        services.AddSingleton<NotificationFeed>();
        var notifications = configuration.GetSection(NotificationOptions.SectionName).Get<NotificationOptions>() ?? new NotificationOptions();
        builder.AddMemoryStreams(NotificationStreams.ProviderName, streams =>
        {
            // How long a stream's pulling agent waits before it looks at an empty queue again: what an
            // idle stream adds to a notification's latency (Orleans' default is 100 ms). And how long a stream
            // without messages stays in its agent's set of streams, which the agent looks through on every
            // poll (Orleans' default keeps every stream published on in the last 30 minutes).
            streams.ConfigurePullingAgent(agent => agent.Configure(o =>
            {
                o.GetQueueMsgsTimerPeriod = notifications.StreamPollInterval > TimeSpan.Zero ? notifications.StreamPollInterval : NotificationOptions.DefaultStreamPollInterval;
                o.StreamInactivityPeriod = notifications.StreamInactivityPeriod > TimeSpan.Zero ? notifications.StreamInactivityPeriod : NotificationOptions.DefaultStreamInactivityPeriod;
            }));
            // How long published notifications stay in memory for subscribers that are behind (Orleans'
            // default holds 30 minutes of them under load); the ledger, not the stream, is the history.
            var window = notifications.StreamCacheWindow > TimeSpan.Zero ? notifications.StreamCacheWindow : NotificationOptions.DefaultStreamCacheWindow;
            streams.ConfigureCacheEviction(eviction => eviction.Configure(o => (o.DataMinTimeInCache, o.DataMaxAgeInCache) = (window, window)));
        });
        if (configuration.GetOrleansClusterOptions().Mode != OrleansMode.Cluster)
        {
            // Cluster mode keeps stream subscriptions in PostgreSQL instead (UsePostgresCluster).
            builder.AddMemoryGrainStorage(PostgresClusterExtensions.PubSubStore);
        }
    }

    /// <summary>Webhooks: one grain per configured endpoint, each from its own stored position.</summary>
    private static void AddWebhooks(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.AddHttpClient();
        services.AddSingleton<IConfigureOptions<HttpClientFactoryOptions>, WebhookHttpClients>();
        WebhookHttpClients.RemoveLoggers(services, configuration.GetSection(WebhookOptions.SectionName).Get<WebhookOptions>());
        services.AddSingleton<WebhookSender>();
    }

    /// <summary>
    /// One start-up task, in order: the schema and the catalog seed, then the relay and every webhook woken.
    /// Orleans runs start-up tasks side by side, and the relay and the webhooks read their positions from
    /// tables the schema creates. A restarted silo resumes publishing and delivery by itself.
    /// </summary>
    private static void AddStartSequence(ISiloBuilder builder)
    {
        builder.AddStartupTask(async (sp, cancellationToken) =>
        {
            await sp.GetRequiredService<CatalogSeeder>().RunWhenReachableAsync(cancellationToken);
            var grains = sp.GetRequiredService<IGrainFactory>();
            await grains.GetGrain<INotificationRelayGrain>(0).WakeAsync();
            foreach (var webhook in sp.GetRequiredService<IOptions<WebhookOptions>>().Value.Webhooks)
            {
                await grains.GetGrain<IWebhookGrain>(webhook.Name).WakeAsync();
            }
        });
    }

    /// <summary>
    /// The Xbox Live collections client (section <c>Xbox</c>, checked at start by <see cref="XboxOptionsValidator"/>);
    /// unconfigured, Xbox consume answers "not configured".
    /// </summary>
    public static ISiloBuilder AddXboxCollections(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.AddOptions<XboxOptions>().Bind(configuration.GetSection(XboxOptions.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<XboxOptions>, XboxOptionsValidator>();
        builder.Services.AddSingleton(sp => new XboxCollectionsClient(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan },
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<XboxOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<XboxCollectionsClient>>()));
        return builder;
    }

    /// <summary>
    /// The <c>Storage</c> section, bound and range-checked when the host starts (the provider and the
    /// connection string are checked earlier, where the store is chosen).
    /// </summary>
    public static IServiceCollection AddStorageOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName))
            .Validate(o => o.StartupWaitSeconds >= 0, "Storage:StartupWaitSeconds must not be negative (0 stops at the first failure).")
            .Validate(o => o.StartupRetrySeconds >= 1, "Storage:StartupRetrySeconds must be at least 1.")
            .Validate(
                o => o.BackupInterval == TimeSpan.Zero || (o.BackupInterval >= TimeSpan.FromSeconds(1) && o.BackupInterval <= TimeSpan.FromDays(30)),
                "Storage:BackupInterval must be 0 (no scheduled backups) or from 00:00:01 to 30.00:00:00.")
            .Validate(o => o.BackupsKept >= 0, "Storage:BackupsKept must not be negative (0 keeps every backup).")
            .ValidateOnStart();
        return services;
    }

    /// <summary>The validated <c>Storage:ConnectionString</c> for PostgreSQL; a missing or malformed one stops the start.</summary>
    internal static string PostgresConnectionString(StorageOptions storage)
    {
        if (string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            throw new InvalidOperationException(
                $"Storage:Provider '{StorageOptions.PostgreSql}' needs Storage:ConnectionString (an Npgsql connection string, e.g. 'Host=db;Username=entitlements;Password=...;Database=entitlements').");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(storage.ConnectionString);
        }
        catch (ArgumentException exception)
        {
            // The message names the offending keyword, never a value (the string may hold a password).
            throw new InvalidOperationException($"Storage:ConnectionString is not a valid Npgsql connection string: {exception.Message}", exception);
        }

        return storage.ConnectionString;
    }

    /// <summary>The store named by <c>Storage:Provider</c>; a wrong provider or a missing connection string stops the start.</summary>
    internal static void AddLedgerStore(IServiceCollection services, StorageOptions storage)
    {
        // The meter Entitlements.Ledger (group-commit batch sizes and durations), one per silo.
        services.AddMetrics();
        services.TryAddSingleton<LedgerMetrics>();
        if (string.Equals(storage.Provider, StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<SqliteLedgerStore>();
            services.AddSingleton<ILedgerStore>(sp => sp.GetRequiredService<SqliteLedgerStore>());
            services.AddSingleton<LedgerBackups>();
            services.AddHostedService<ScheduledBackups>();
            return;
        }

        if (!string.Equals(storage.Provider, StorageOptions.PostgreSql, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"Storage:Provider '{storage.Provider}' is not supported; use '{StorageOptions.Sqlite}' or '{StorageOptions.PostgreSql}'.");
        }

        var connectionString = PostgresConnectionString(storage);

        // One connection pool per silo, created and disposed by the container.
        services.AddSingleton(_ => PostgresConnectionDefaults.CreateDataSource(connectionString));
        services.AddSingleton<PostgresLedgerStore>();
        services.AddSingleton<ILedgerStore>(sp => sp.GetRequiredService<PostgresLedgerStore>());
    }
}
