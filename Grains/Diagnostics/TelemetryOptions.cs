namespace Entitlements.Diagnostics;

/// <summary>Configuration section <c>Telemetry</c>: where metrics and traces go.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>The standard OpenTelemetry variable; when set (and <see cref="OtlpEndpoint"/> is not), OTLP export is on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>An OTLP collector (gRPC, e.g. <c>http://collector:4317</c>). Unset, nothing is exported over OTLP.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>The gateway's Prometheus scraping path; empty turns the endpoint off.</summary>
    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>Serve the Prometheus endpoint without a token (for a scraper on a private network). Off: it needs <c>ops:metrics</c>.</summary>
    public bool PrometheusAnonymous { get; set; }
}
