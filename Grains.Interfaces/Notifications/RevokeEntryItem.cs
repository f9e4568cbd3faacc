using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>The item of a revoke entry, by <c>ITEM_ID</c> or <c>ITEM_SKU</c>.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.RevokeEntryItem")]
public sealed record RevokeEntryItem
{
    [Id(0), JsonPropertyName("itemIdentityType")] public required string ItemIdentityType { get; init; }
    [Id(1), JsonPropertyName("itemIdentity")] public required string ItemIdentity { get; init; }
}
