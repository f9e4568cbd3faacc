namespace Entitlements.Contracts;

/// <summary>
/// What a platform SKU grants. Keyed by (<see cref="Platform"/>, <see cref="Sku"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("Entitlements.CatalogSku")]
public sealed record CatalogSku
{
    [Id(0)] public required Platform Platform { get; init; }
    [Id(1)] public required string Sku { get; init; }
    [Id(2)] public required EntitlementType EntitlementType { get; init; }

    /// <summary>The item the SKU grants.</summary>
    [Id(3)] public required string ItemId { get; init; }
    [Id(4)] public required string ItemName { get; init; }

    /// <summary>The game's own item class (PlayFab's <c>ItemClass</c>), free text.</summary>
    [Id(5)] public string? ItemClass { get; init; }
    [Id(6)] public EntitlementClazz Clazz { get; init; } = EntitlementClazz.Entitlement;

    /// <summary>Units of the item granted per unit of an event's quantity (consumables).</summary>
    [Id(7)] public long UnitsPerQuantity { get; init; } = 1;
    [Id(8)] public RevocationPolicy RevocationPolicy { get; init; } = RevocationPolicy.RevokeOrReport;

    /// <summary>The store's own product id (for XboxLive, the Xbox store product id).</summary>
    [Id(9)] public string? PlatformProductId { get; init; }
    [Id(10)] public IReadOnlyDictionary<string, string> CustomData { get; init; } = new Dictionary<string, string>();
    [Id(11)] public long? LootId { get; init; }
    [Id(12)] public long? RefundLootId { get; init; }
    [Id(13)] public long? ChargebackLootId { get; init; }
    [Id(14)] public long? ChargebackReversalLootId { get; init; }

    /// <summary>Increases on every change; doubles as the HTTP ETag.</summary>
    [Id(15)] public long Revision { get; init; }

    /// <summary>The loot id RallyHere associates with an action on this SKU.</summary>
    public long? LootIdFor(EntitlementActionType action) => action switch
    {
        EntitlementActionType.Grant => LootId,
        EntitlementActionType.Refund => RefundLootId,
        EntitlementActionType.Chargeback => ChargebackLootId,
        EntitlementActionType.ChargebackReversal => ChargebackReversalLootId,
        _ => null,
    };

    /// <summary>Refuse text the ledger cannot store (see <see cref="StoredText"/>), the custom data's keys and values included.</summary>
    public void ThrowIfNotStorable()
    {
        StoredText.ThrowIfNotStorable(Sku);
        StoredText.ThrowIfNotStorable(ItemId);
        StoredText.ThrowIfNotStorable(ItemName);
        StoredText.ThrowIfNotStorable(ItemClass);
        StoredText.ThrowIfNotStorable(PlatformProductId);
        foreach (var (key, value) in CustomData)
        {
            StoredText.ThrowIfNotStorable(key, "A CustomData key");
            StoredText.ThrowIfNotStorable(value, $"CustomData[{key}]");
        }
    }
}
