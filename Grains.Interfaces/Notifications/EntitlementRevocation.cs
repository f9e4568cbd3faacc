using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>One entitlement's revocation: how much was taken, and whether part of it was skipped and why.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.EntitlementRevocation")]
public sealed record EntitlementRevocation
{
    [Id(0), JsonPropertyName("entitlementId")] public required string EntitlementId { get; init; }
    [Id(1), JsonPropertyName("quantity")] public required long Quantity { get; init; }
    [Id(2), JsonPropertyName("itemId")] public required string ItemId { get; init; }
    [Id(3), JsonPropertyName("itemSku")] public string? ItemSku { get; init; }
    [Id(4), JsonPropertyName("revocationStrategy")] public required string RevocationStrategy { get; init; }
    [Id(5), JsonPropertyName("status")] public required string Status { get; init; }
    [Id(6), JsonPropertyName("skipped")] public required bool Skipped { get; init; }
    [Id(7), JsonPropertyName("reason")] public string? Reason { get; init; }
}
