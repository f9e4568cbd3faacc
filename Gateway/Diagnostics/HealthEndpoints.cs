using System.Text.Json;
using Entitlements.Gateway.Auth;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Entitlements.Gateway.Diagnostics;

/// <summary>
/// <c>/health/live</c> (the process answers; no dependency is asked) and <c>/health/ready</c> (the database
/// and the Orleans cluster, one run shared by concurrent callers and reused for a second: see
/// <see cref="ReadinessReport"/>): open to everyone, for orchestrators; a JSON body with each check's status,
/// 200 when healthy and 503 when not.
/// </summary>
public static class HealthEndpoints
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    public static IServiceCollection AddGatewayHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadinessReport.Tag])
            .AddCheck<ClusterHealthCheck>("cluster", tags: [ReadinessReport.Tag]);
        services.AddSingleton<DatabaseHealthCheck>();
        services.AddSingleton<ClusterHealthCheck>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ReadinessReport>();
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync, AllowCachingResponses = false })
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .WithMetadata(AnonymousAccess.Instance)
            .WithName("health_live");
        // Not MapHealthChecks: that runs the checks for every request. Same status codes and headers as it.
        app.MapMethods(ReadyPath, [HttpMethods.Get, HttpMethods.Head], ReadyAsync)
            .WithMetadata(AnonymousAccess.Instance)
            .WithName("health_ready");
        return app;
    }

    private static async Task ReadyAsync(HttpContext context)
    {
        var report = await context.RequestServices.GetRequiredService<ReadinessReport>().GetAsync(context.RequestAborted);
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store, no-cache";
        headers.Pragma = "no-cache";
        headers.Expires = "Thu, 01 Jan 1970 00:00:00 GMT";
        await WriteAsync(context, report);
    }

    /// <summary><c>{"status": "Healthy", "checks": {"database": {"status", "description", "durationMs", "data"}}}</c>.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var checks = report.Entries.ToDictionary(
            e => e.Key,
            e => new HealthCheckDocument(e.Value.Status.ToString(), e.Value.Description, Math.Round(e.Value.Duration.TotalMilliseconds, 1), e.Value.Data));
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, new HealthDocument(report.Status.ToString(), checks), HealthJson.Options, context.RequestAborted);
    }
}
