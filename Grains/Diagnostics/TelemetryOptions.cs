using Microsoft.Extensions.Configuration;

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

    /// <summary>
    /// Carry a request's trace into the grains it calls (spans, and the trace id on grain log lines and on
    /// <c>revocationCompleted</c>). Unset, it is on exactly when OTLP export is: it costs a grant about a third
    /// more gateway CPU (docs/operations.md), which a deployment that records no traces need not pay.
    /// </summary>
    public bool? GrainTraces { get; set; }

    /// <summary>Whether grain calls carry the trace, from the section and the standard OTLP variable.</summary>
    public static bool GrainTracesOn(IConfiguration configuration)
    {
        var options = configuration.GetSection(SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        return options.GrainTraces ?? OtlpOn(options, configuration);
    }

    /// <summary>Whether OTLP export is on: an endpoint in the section, or the standard variable.</summary>
    public static bool OtlpOn(TelemetryOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        return options.OtlpEndpoint is not null || !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
    }

    /// <summary>Serve the Prometheus endpoint without a token (for a scraper on a private network). Off: it needs <c>ops:metrics</c>.</summary>
    public bool PrometheusAnonymous { get; set; }
}
