namespace Entitlements.Hosting;

/// <summary>Configuration section <c>Orleans</c>: which cluster a process belongs to and how it listens.</summary>
public sealed class OrleansClusterOptions
{
    public const string SectionName = "Orleans";

    /// <summary>
    /// <see cref="OrleansMode.Embedded"/> (the default): the gateway co-hosts a silo, localhost clustering.
    /// <see cref="OrleansMode.Cluster"/>: silos and gateways are separate processes that find each other
    /// through PostgreSQL membership.
    /// </summary>
    public OrleansMode Mode { get; set; } = OrleansMode.Embedded;

    public string ClusterId { get; set; } = "entitlements";
    public string ServiceId { get; set; } = "entitlements";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port for external Orleans clients (the gateways in cluster mode, in-cluster game services).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Cluster mode: the address this silo publishes in the membership table (in a container, the container's address).</summary>
    public string AdvertisedIPAddress { get; set; } = "127.0.0.1";

    /// <summary>Cluster mode: listen on every interface (0.0.0.0) rather than on the advertised address only.</summary>
    public bool ListenOnAnyHostAddress { get; set; }
}
