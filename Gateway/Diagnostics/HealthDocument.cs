using System.Text.Json;

namespace Entitlements.Gateway.Diagnostics;

/// <summary>The body of the health routes.</summary>
public sealed record HealthDocument(string Status, IReadOnlyDictionary<string, HealthCheckDocument> Checks);

internal static class HealthJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
