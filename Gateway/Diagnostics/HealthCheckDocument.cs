namespace Entitlements.Gateway.Diagnostics;

/// <summary>One check: <c>Healthy</c>, <c>Degraded</c> or <c>Unhealthy</c>, what it found and how long it took.</summary>
public sealed record HealthCheckDocument(string Status, string? Description, double DurationMs, IReadOnlyDictionary<string, object> Data);
