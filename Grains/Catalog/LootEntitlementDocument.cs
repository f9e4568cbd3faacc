using System.Text.Json.Serialization;

namespace Entitlements.Catalog;

/// <summary>RallyHere's <c>LootEntitlement</c>: the entitlement type and the loot ids of each action.</summary>
public sealed record LootEntitlementDocument
{
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("loot_id")] public long LootId { get; init; }
    [JsonPropertyName("refund_loot_id")] public long? RefundLootId { get; init; }
    [JsonPropertyName("chargeback_loot_id")] public long? ChargebackLootId { get; init; }
    [JsonPropertyName("chargeback_reversal_loot_id")] public long? ChargebackReversalLootId { get; init; }
}
