using System.Text.Json;
using Entitlements.Gateway.Auth;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Entitlements.Gateway.Diagnostics;

/// <summary>
/// <c>/health/live</c> (the process answers; no dependency is asked) and <c>/health/ready</c> (the database
/// and the Orleans cluster): open to everyone, for orchestrators; a JSON body with each check's status,
/// 200 when healthy and 503 when not.
/// </summary>
public static class HealthEndpoints
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string ReadyTag = "ready";

    public static IServiceCollection AddGatewayHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<ClusterHealthCheck>("cluster", tags: [ReadyTag]);
        services.AddSingleton<DatabaseHealthCheck>();
        services.AddSingleton<ClusterHealthCheck>();
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder app)
    {
        Map(app, LivePath, "health_live", _ => false);
        Map(app, ReadyPath, "health_ready", check => check.Tags.Contains(ReadyTag));
        return app;
    }

    private static void Map(IEndpointRouteBuilder app, string path, string name, Func<HealthCheckRegistration, bool> predicate) =>
        app.MapHealthChecks(path, new HealthCheckOptions { Predicate = predicate, ResponseWriter = WriteAsync, AllowCachingResponses = false })
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .WithMetadata(AnonymousAccess.Instance)
            .WithName(name);

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
