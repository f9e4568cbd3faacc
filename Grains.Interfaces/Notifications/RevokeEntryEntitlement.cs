using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>The entitlement of a revoke entry.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.RevokeEntryEntitlement")]
public sealed record RevokeEntryEntitlement
{
    [Id(0), JsonPropertyName("entitlementId")] public required string EntitlementId { get; init; }
    [Id(1), JsonPropertyName("type")] public required string Type { get; init; }
    [Id(2), JsonPropertyName("clazz")] public required string Clazz { get; init; }
}
