using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Entitlements.Diagnostics;

/// <summary>
/// OpenTelemetry for every host (gateway and silo): the project's meters (<c>Entitlements.*</c>), Orleans'
/// own (<c>Microsoft.Orleans</c>, e.g. <c>orleans-catalog-activations</c>) and the .NET runtime's; OTLP export
/// of metrics and traces only when an endpoint is configured; every log scope carrying the current trace.
/// </summary>
public static class TelemetryExtensions
{
    public const string ProjectMeters = "Entitlements.*";
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Orleans' activity sources, traced when OTLP export is on.</summary>
    public static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>
    /// Register the meter provider (and, with OTLP, the tracer provider). <paramref name="metrics"/> and
    /// <paramref name="tracing"/> let a host add its own instrumentation and exporters.
    /// </summary>
    public static TelemetryOptions AddEntitlementsTelemetry(
        this IServiceCollection services,
        IConfiguration configuration,
        ILoggingBuilder logging,
        Action<MeterProviderBuilder>? metrics = null,
        Action<TracerProviderBuilder>? tracing = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(logging);
        var section = configuration.GetSection(TelemetryOptions.SectionName);
        var options = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.OtlpEndpoint is { } endpoint && !(endpoint.IsAbsoluteUri && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps)))
        {
            // Refused here: a relative one failed the start without naming the key, and one with no scheme
            // ("collector:4317" reads as the scheme "collector") failed every export, silently.
            throw new InvalidOperationException(
                $"{TelemetryOptions.SectionName}:OtlpEndpoint must be an absolute http:// or https:// URL (got '{endpoint.OriginalString}').");
        }

        services.Configure<TelemetryOptions>(section);

        // Each log line written inside a request (or any activity) carries its trace and span ids as a scope:
        // the JSON console formatter with IncludeScopes prints them.
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var otlp = TelemetryOptions.OtlpOn(options, configuration);
        var telemetry = services.AddOpenTelemetry().WithMetrics(builder =>
        {
            builder.AddMeter(ProjectMeters, OrleansMeter).AddRuntimeInstrumentation();
            metrics?.Invoke(builder);
            if (otlp)
            {
                builder.AddOtlpExporter(o => Endpoint(o, options, "v1/metrics"));
            }
        });
        if (otlp)
        {
            telemetry.WithTracing(builder =>
            {
                builder.AddSource(OrleansActivitySources);
                tracing?.Invoke(builder);
                builder.AddOtlpExporter(o => Endpoint(o, options, "v1/traces"));
            });
        }

        return options;
    }

    /// <summary>
    /// The configured endpoint wins; else the exporter reads <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> itself. Like the
    /// variable, the key names the collector's base address: over <c>http/protobuf</c> the signal's path is added.
    /// </summary>
    private static void Endpoint(OtlpExporterOptions exporter, TelemetryOptions options, string signalPath)
    {
        if (options.OtlpEndpoint is { } endpoint)
        {
            exporter.Endpoint = exporter.Protocol == OtlpExportProtocol.HttpProtobuf
                ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath)
                : endpoint;
        }
    }
}
