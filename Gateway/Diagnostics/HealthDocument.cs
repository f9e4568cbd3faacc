using System.Text.Json;

namespace Entitlements.Gateway.Diagnostics;

/// <summary>The body of the health routes.</summary>
public sealed record HealthDocument(string Status, IReadOnlyDictionary<string, HealthCheckDocument> Checks);

/// <summary>One check: <c>Healthy</c>, <c>Degraded</c> or <c>Unhealthy</c>, what it found and how long it took.</summary>
public sealed record HealthCheckDocument(string Status, string? Description, double DurationMs, IReadOnlyDictionary<string, object> Data);

internal static class HealthJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
