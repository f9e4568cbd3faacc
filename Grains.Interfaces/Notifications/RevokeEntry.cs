using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>One entry of what the revocation asked to take back: an <c>ITEM</c>, <c>CURRENCY</c> or <c>ENTITLEMENT</c>.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.RevokeEntry")]
public sealed record RevokeEntry
{
    [Id(0), JsonPropertyName("type")] public required string Type { get; init; }
    [Id(1), JsonPropertyName("item")] public RevokeEntryItem? Item { get; init; }
    [Id(2), JsonPropertyName("entitlement")] public RevokeEntryEntitlement? Entitlement { get; init; }
    [Id(3), JsonPropertyName("currency")] public RevokeEntryCurrency? Currency { get; init; }
    [Id(4), JsonPropertyName("quantity")] public required long Quantity { get; init; }
}
