namespace Entitlements.Hosting;

/// <summary>Configuration section <c>Orleans</c>: how the embedded (single machine) cluster listens.</summary>
public sealed class EmbeddedClusterOptions
{
    public const string SectionName = "Orleans";

    public string ClusterId { get; set; } = "entitlements";
    public string ServiceId { get; set; } = "entitlements";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port for external Orleans clients (in-cluster game services).</summary>
    public int GatewayPort { get; set; } = 30000;
}
