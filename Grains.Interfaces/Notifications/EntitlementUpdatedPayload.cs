using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>What happened (<see cref="EntitlementUpdateAction"/>, lower case) and the entitlements as they are after it.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.EntitlementUpdatedPayload")]
public sealed record EntitlementUpdatedPayload
{
    [Id(0), JsonPropertyName("action")] public required string Action { get; init; }
    [Id(1), JsonPropertyName("data")] public required IReadOnlyList<EntitlementInfo> Data { get; init; }
}
