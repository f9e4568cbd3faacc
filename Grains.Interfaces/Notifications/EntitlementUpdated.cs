using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>AccelByte's <c>entitlementUpdated</c> notification: <c>{"type": "entitlementUpdated", "payload": {...}}</c>.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.EntitlementUpdated")]
public sealed record EntitlementUpdated
{
    public const string TypeName = "entitlementUpdated";

    [Id(0), JsonPropertyName("type")] public string Type { get; init; } = TypeName;
    [Id(1), JsonPropertyName("payload")] public required EntitlementUpdatedPayload Payload { get; init; }
}
