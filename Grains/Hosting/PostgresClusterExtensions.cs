using System.Net;
using Entitlements.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace Entitlements.Hosting;

/// <summary>
/// Cluster mode (<c>Orleans:Mode=Cluster</c>): Orleans membership, grain state (the default storage and
/// <see cref="PubSubStore"/>, so explicit stream subscriptions outlive a silo) and reminders in the
/// PostgreSQL database of <c>Storage:ConnectionString</c>, through the ADO.NET providers and the
/// project's own schema (<see cref="OrleansSchema"/>). Grain state is plain JSON
/// (<c>UseSystemTextJsonGrainStorageSerializer</c>) except the stream subscriptions (see below).
/// </summary>
public static class PostgresClusterExtensions
{
    /// <summary>The grain storage Orleans keeps stream subscriptions in.</summary>
    public const string PubSubStore = "PubSubStore";

    /// <summary>Configuration section with <see cref="ClusterMembershipOptions"/> overrides (e.g. <c>Orleans:Membership:ProbeTimeout=00:00:02</c>).</summary>
    public const string MembershipSection = "Orleans:Membership";

    /// <summary>
    /// Configuration section with messaging overrides (<c>Orleans:Messaging:ResponseTimeout</c>, default 30 s), for
    /// silos and gateways of both modes. The Xbox consume call has its own, longer response timeout
    /// (<see cref="IPlayerGrain.XboxConsumeResponseTimeout"/>), so that a timeout tuned for fail-over cannot cut it.
    /// </summary>
    public const string MessagingSection = "Orleans:Messaging";

    /// <summary>
    /// Binds <see cref="MessagingSection"/> to a silo's or a client's messaging options, checked at start: a
    /// <c>ResponseTimeout</c> of zero or less would expire every grain call at once, every route answering 503,
    /// and a <c>MaxMessageHeaderSize</c> or <c>MaxMessageBodySize</c> under 1 would close the connection of
    /// every message.
    /// </summary>
    internal static OptionsBuilder<TOptions> AddMessagingOptions<TOptions>(IServiceCollection services, IConfiguration configuration)
        where TOptions : MessagingOptions =>
        services.AddOptions<TOptions>().Bind(configuration.GetSection(MessagingSection))
            .Validate(o => o.ResponseTimeout > TimeSpan.Zero, $"{MessagingSection}:ResponseTimeout must be positive.")
            .Validate(o => o.ResponseTimeout <= LongestTime, AtMostADay($"{MessagingSection}:ResponseTimeout"))
            .Validate(o => o.MaxMessageHeaderSize >= 1, $"{MessagingSection}:MaxMessageHeaderSize must be at least 1.")
            .Validate(o => o.MaxMessageBodySize >= 1, $"{MessagingSection}:MaxMessageBodySize must be at least 1.")
            .ValidateOnStart();

    /// <summary>
    /// A silo's messaging options (<see cref="AddMessagingOptions"/>), and its own: a <c>SystemResponseTimeout</c>
    /// of zero or less would fail the runtime's own calls (the grain directory, the stream agents, membership)
    /// at once. Orleans checks the placement settings itself.
    /// </summary>
    internal static void AddSiloMessagingOptions(IServiceCollection services, IConfiguration configuration) =>
        AddMessagingOptions<SiloMessagingOptions>(services, configuration)
            .Validate(o => o.SystemResponseTimeout > TimeSpan.Zero, $"{MessagingSection}:SystemResponseTimeout must be positive.")
            .Validate(o => o.SystemResponseTimeout <= LongestTime, AtMostADay($"{MessagingSection}:SystemResponseTimeout"));

    /// <summary>
    /// The <c>Orleans</c> section, its identity and ports checked where they are read, while the host is built:
    /// an empty <c>ClusterId</c> or <c>ServiceId</c> stopped Orleans' own start with a message that does not
    /// name the key, and a silo (<paramref name="listens"/>) needs two different ports from 1 to 65535 (a
    /// port out of range failed the build with no key named; port 0 gave the silo no silo port, or in-cluster
    /// clients and cluster-mode gateways no gateway to connect to).
    /// </summary>
    internal static OrleansClusterOptions CheckedClusterOptions(IConfiguration configuration, bool listens)
    {
        var options = configuration.GetOrleansClusterOptions();
        var section = OrleansClusterOptions.SectionName;
        string? failure = null;
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failure = $"{section}:ClusterId must not be empty.";
        }
        else if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failure = $"{section}:ServiceId must not be empty.";
        }
        else if (listens && options.SiloPort is < 1 or > IPEndPoint.MaxPort)
        {
            failure = $"{section}:SiloPort must be from 1 to {IPEndPoint.MaxPort} (got {options.SiloPort}).";
        }
        else if (listens && options.GatewayPort is < 1 or > IPEndPoint.MaxPort)
        {
            failure = $"{section}:GatewayPort must be from 1 to {IPEndPoint.MaxPort} (got {options.GatewayPort}).";
        }
        else if (listens && options.SiloPort == options.GatewayPort)
        {
            failure = $"{section}:SiloPort and {section}:GatewayPort must differ (both are {options.SiloPort}).";
        }

        return failure is null ? options : throw new InvalidOperationException(failure);
    }

    /// <summary>A silo of the PostgreSQL cluster, listening on <c>Orleans:AdvertisedIPAddress</c>, <c>SiloPort</c> and <c>GatewayPort</c>.</summary>
    public static ISiloBuilder UsePostgresCluster(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var orleans = CheckedClusterOptions(configuration, listens: true);
        var connectionString = ClusterConnectionString(configuration);
        if (!IPAddress.TryParse(orleans.AdvertisedIPAddress, out var advertised))
        {
            throw new InvalidOperationException($"Orleans:AdvertisedIPAddress '{orleans.AdvertisedIPAddress}' is not an IP address.");
        }

        builder.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = orleans.ClusterId;
            o.ServiceId = orleans.ServiceId;
        });
        builder.ConfigureEndpoints(advertised, orleans.SiloPort, orleans.GatewayPort, orleans.ListenOnAnyHostAddress);
        builder.UseAdoNetClustering(o =>
        {
            o.Invariant = OrleansSchema.Invariant;
            o.ConnectionString = connectionString;
        });
        builder.UseSystemTextJsonGrainStorageSerializer();

        // A cleared state deletes its row (the schema's DeleteStorageKey) rather than keep it with no
        // payload: the stream rendezvous grains clear theirs when a stream has no producer and no consumer
        // left, about two per player ever notified, and those rows would otherwise stay for good.
        builder.AddAdoNetGrainStorageAsDefault(o =>
        {
            o.Invariant = OrleansSchema.Invariant;
            o.ConnectionString = connectionString;
            o.DeleteStateOnClear = true;
        });
        builder.AddAdoNetGrainStorage(PubSubStore, o =>
        {
            o.Invariant = OrleansSchema.Invariant;
            o.ConnectionString = connectionString;
            o.DeleteStateOnClear = true;
        });

        // The subscriptions are Orleans' own types, which System.Text.Json cannot read back (they have
        // constructors it cannot bind): they are stored with Orleans' version-tolerant binary serializer.
        builder.Services.AddOptions<AdoNetGrainStorageOptions>(PubSubStore)
            .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        builder.UseAdoNetReminderService(o =>
        {
            o.Invariant = OrleansSchema.Invariant;
            o.ConnectionString = connectionString;
        });
        ConfigureFailureDetection(builder.Services, configuration);
        AddSiloMessagingOptions(builder.Services, configuration);

        // The ledger's lock, shared with the cluster's other silos, so that an embedded-mode process on the same
        // database (which takes it alone) refuses to start, and this silo refuses to start beside one.
        var ledger = Storage(configuration);
        var ledgerConnectionString = EntitlementsSiloBuilderExtensions.PostgresConnectionString(ledger);
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new EmbeddedSiloLock(
            ledgerConnectionString, ledger, sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<EmbeddedSiloLock>>(), shared: true));

        // Before anything of Orleans reads its statements: the first stage of the silo's lifecycle.
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new SchemaParticipant(
            connectionString, Storage(configuration), sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OrleansSchema))));
        return builder;
    }

    /// <summary>
    /// An external client of the PostgreSQL cluster: it finds the silos' gateway ports in the membership
    /// table. Call <see cref="AddOrleansSchemaMigration"/> on the host first, so that a client starting
    /// before any silo finds the tables.
    /// </summary>
    public static IClientBuilder UsePostgresCluster(this IClientBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var orleans = CheckedClusterOptions(configuration, listens: false);
        var connectionString = ClusterConnectionString(configuration);
        builder.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = orleans.ClusterId;
            o.ServiceId = orleans.ServiceId;
        });
        builder.UseAdoNetClustering(o =>
        {
            o.Invariant = OrleansSchema.Invariant;
            o.ConnectionString = connectionString;
        });
        builder.Services.AddRuntimeExceptionSerialization();

        // A silo that died is dropped from the list when its connection fails; this is how soon a silo
        // that joined (or came back) is used.
        builder.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        // The client maps each grain to one of ClientSenderBuckets buckets: with none, every call would fail.
        AddMessagingOptions<ClientMessagingOptions>(builder.Services, configuration)
            .Validate(o => o.ClientSenderBuckets >= 1, $"{MessagingSection}:ClientSenderBuckets must be at least 1.");
        return builder;
    }

    /// <summary>A hosted service that migrates the Orleans schema; register it before the Orleans client.</summary>
    public static IServiceCollection AddOrleansSchemaMigration(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = ClusterConnectionString(configuration);
        return services.AddHostedService(sp => new SchemaHostedService(
            connectionString, Storage(configuration), sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OrleansSchema))));
    }

    /// <summary>
    /// Failure detection tuned for fail-over in seconds rather than a minute: a silo is probed every
    /// <c>ProbeTimeout</c> (2 s) and declared dead after 3 missed probes (about 6 s); votes stay valid for
    /// 30 s. Every value can be overridden in <see cref="MembershipSection"/>, and is checked at start: a
    /// period or timeout of zero or less, or a count under 1, would have silos declared dead at once, never
    /// declared dead, or never joining (a probe timeout of zero expires every probe; no probed silo or no
    /// vote needed leaves a dead silo's grains unserved; a table period of zero reads or writes the
    /// membership table without pause).
    /// </summary>
    private static void ConfigureFailureDetection(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(2);
            o.NumMissedProbesLimit = 3;
            o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
            o.TableRefreshTimeout = TimeSpan.FromSeconds(10);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(30);
        });
        services.AddOptions<ClusterMembershipOptions>().Bind(configuration.GetSection(MembershipSection))
            .Validate(o => o.ProbeTimeout > TimeSpan.Zero, $"{MembershipSection}:ProbeTimeout must be positive.")
            .Validate(o => o.ProbeTimeout <= TimeSpan.Zero || o.MinProbeTimeout > TimeSpan.Zero, $"{MembershipSection}:MinProbeTimeout must be positive.")
            .Validate(o => o.MaxProbeTimeout >= o.MinProbeTimeout, $"{MembershipSection}:MaxProbeTimeout must be at least {MembershipSection}:MinProbeTimeout.")
            .Validate(o => o.NumMissedProbesLimit >= 1, $"{MembershipSection}:NumMissedProbesLimit must be at least 1.")
            .Validate(o => o.NumProbedSilos >= 1, $"{MembershipSection}:NumProbedSilos must be at least 1.")
            .Validate(o => o.NumVotesForDeathDeclaration >= 1, $"{MembershipSection}:NumVotesForDeathDeclaration must be at least 1.")
            .Validate(o => o.DeathVoteExpirationTimeout > TimeSpan.Zero, $"{MembershipSection}:DeathVoteExpirationTimeout must be positive.")
            .Validate(o => o.TableRefreshTimeout > TimeSpan.Zero, $"{MembershipSection}:TableRefreshTimeout must be positive.")
            .Validate(o => o.IAmAliveTablePublishTimeout > TimeSpan.Zero, $"{MembershipSection}:IAmAliveTablePublishTimeout must be positive.")
            .Validate(o => o.NumMissedTableIAmAliveLimit >= 1, $"{MembershipSection}:NumMissedTableIAmAliveLimit must be at least 1.")
            .Validate(o => o.MaxJoinAttemptTime > TimeSpan.Zero, $"{MembershipSection}:MaxJoinAttemptTime must be positive.")
            .Validate(o => o.ProbeTimeout <= LongestTime, AtMostADay($"{MembershipSection}:ProbeTimeout"))
            // Orleans derives the probe bounds from ProbeTimeout: one too long is named once.
            .Validate(o => o.ProbeTimeout > LongestTime || o.MaxProbeTimeout <= LongestTime, AtMostADay($"{MembershipSection}:MaxProbeTimeout"))
            .Validate(o => o.DeathVoteExpirationTimeout <= LongestTime, AtMostADay($"{MembershipSection}:DeathVoteExpirationTimeout"))
            .Validate(o => o.TableRefreshTimeout <= LongestTime, AtMostADay($"{MembershipSection}:TableRefreshTimeout"))
            .Validate(o => o.IAmAliveTablePublishTimeout <= LongestTime, AtMostADay($"{MembershipSection}:IAmAliveTablePublishTimeout"))
            .Validate(o => o.MaxJoinAttemptTime <= LongestTime, AtMostADay($"{MembershipSection}:MaxJoinAttemptTime"))
            .ValidateOnStart();
    }

    /// <summary>
    /// The longest time any of these settings takes. A bare number in a time setting is a number of days (<c>30</c>
    /// is 30 days, not seconds): a response timeout that in effect never expires, a silo that hangs for days before
    /// it is declared dead, or a period past what .NET's timers take (about 49.7 days).
    /// </summary>
    private static readonly TimeSpan LongestTime = TimeSpan.FromDays(1);

    private static string AtMostADay(string key) => $"{key} must be at most 1.00:00:00 (a bare number is read as days).";

    private static string ClusterConnectionString(IConfiguration configuration)
    {
        var storage = Storage(configuration);
        if (!string.Equals(storage.Provider, StorageOptions.PostgreSql, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"Orleans:Mode '{OrleansMode.Cluster}' needs Storage:Provider '{StorageOptions.PostgreSql}' (membership, grain state and the ledger live in one PostgreSQL database); it is '{storage.Provider}'.");
        }

        // The same fail-fast timeouts as the ledger's connections, unless the connection string sets its own.
        return PostgresConnectionDefaults.Apply(EntitlementsSiloBuilderExtensions.PostgresConnectionString(storage));
    }

    /// <summary>The storage settings: the database, and how long a starting process waits for it.</summary>
    private static StorageOptions Storage(IConfiguration configuration) =>
        configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();

    private sealed class SchemaParticipant(string connectionString, StorageOptions storage, ILogger logger) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(
            nameof(OrleansSchema),
            ServiceLifecycleStage.First,
            cancellationToken => OrleansSchema.MigrateAsync(connectionString, logger, storage, cancellationToken));
    }

    private sealed class SchemaHostedService(string connectionString, StorageOptions storage, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => OrleansSchema.MigrateAsync(connectionString, logger, storage, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
