using System.Text.Json.Serialization;

namespace Entitlements.Catalog;

/// <summary>RallyHere's <c>LootEntitlement</c>: the entitlement type and the loot ids of each action.</summary>
public sealed record LootEntitlementDocument
{
    [JsonPropertyName("type")] public required string Type { get; init; }
    /// <summary>Required, as by the catalog route; written as a number, never null (RallyHere's schema).</summary>
    [JsonPropertyName("loot_id")]
    public long LootId
    {
        get;
        init
        {
            field = value;
            HasLootId = true;
        }
    }

    /// <summary>
    /// Whether <see cref="LootId"/> was given: a seed file's entry that leaves it out is refused by name
    /// (<see cref="CatalogSkuDocument.ToCatalogSku"/>), rather than read as 0.
    /// </summary>
    [JsonIgnore] public bool HasLootId { get; private init; }

    [JsonPropertyName("refund_loot_id")] public long? RefundLootId { get; init; }
    [JsonPropertyName("chargeback_loot_id")] public long? ChargebackLootId { get; init; }
    [JsonPropertyName("chargeback_reversal_loot_id")] public long? ChargebackReversalLootId { get; init; }
}
