using Entitlements.Diagnostics;
using Entitlements.Gateway.Auth;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Entitlements.Gateway.Diagnostics;

/// <summary>
/// The gateway's telemetry: the shared meters (<see cref="TelemetryExtensions"/>), ASP.NET Core's request
/// instruments, and a Prometheus scraping endpoint (<c>Telemetry:PrometheusPath</c>, default <c>/metrics</c>)
/// that needs <c>ops:metrics</c> unless <c>Telemetry:PrometheusAnonymous</c> is on.
/// </summary>
public static class GatewayTelemetry
{
    public static TelemetryOptions AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var prometheus = !string.IsNullOrEmpty(builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>()?.PrometheusPath ?? "/metrics");
        return builder.Services.AddEntitlementsTelemetry(
            builder.Configuration,
            builder.Logging,
            metrics =>
            {
                metrics.AddAspNetCoreInstrumentation();
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            },
            tracing => tracing.AddAspNetCoreInstrumentation());
    }

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.PrometheusPath))
        {
            return app;
        }

        var endpoint = app.MapPrometheusScrapingEndpoint(options.PrometheusPath)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .WithName("metrics");
        if (options.PrometheusAnonymous)
        {
            endpoint.WithMetadata(AnonymousAccess.Instance);
        }
        else
        {
            endpoint.RequirePermission(Permissions.Metrics);
        }

        return app;
    }
}
