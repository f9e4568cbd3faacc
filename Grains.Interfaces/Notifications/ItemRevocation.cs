using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>One item's revocation; a bundle nests the revocations of its contents in <see cref="ItemRevocations"/>.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.ItemRevocation")]
public sealed record ItemRevocation
{
    [Id(0), JsonPropertyName("quantity")] public required long Quantity { get; init; }
    [Id(1), JsonPropertyName("itemId")] public required string ItemId { get; init; }
    [Id(2), JsonPropertyName("itemSku")] public string? ItemSku { get; init; }
    [Id(3), JsonPropertyName("itemType")] public string? ItemType { get; init; }
    [Id(4), JsonPropertyName("revocationStrategy")] public required string RevocationStrategy { get; init; }
    [Id(5), JsonPropertyName("status")] public required string Status { get; init; }
    [Id(6), JsonPropertyName("skipped")] public required bool Skipped { get; init; }
    [Id(7), JsonPropertyName("reason")] public string? Reason { get; init; }
    [Id(8), JsonPropertyName("itemRevocations")] public IReadOnlyList<ItemRevocation> ItemRevocations { get; init; } = [];
    [Id(9), JsonPropertyName("creditRevocations")] public IReadOnlyList<CreditRevocation> CreditRevocations { get; init; } = [];
    [Id(10), JsonPropertyName("entitlementRevocations")] public IReadOnlyList<EntitlementRevocation> EntitlementRevocations { get; init; } = [];
}
