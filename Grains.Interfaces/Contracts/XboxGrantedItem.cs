namespace Entitlements.Contracts;

/// <summary>An item granted by one Xbox consume call (PlayFab's <c>ItemInstance</c>, before the wire).</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.XboxGrantedItem")]
public sealed record XboxGrantedItem
{
    [Id(0)] public required string ItemId { get; init; }

    /// <summary>The player's holding of the item (its entitlement id): one stacked instance per item.</summary>
    [Id(1)] public required string ItemInstanceId { get; init; }
    [Id(2)] public string? ItemClass { get; init; }
    [Id(3)] public required string DisplayName { get; init; }
    [Id(4)] public string? CatalogVersion { get; init; }

    /// <summary>When this call's (last) grant of the item was recorded.</summary>
    [Id(5)] public required DateTimeOffset PurchaseDate { get; init; }

    /// <summary>Consumables: the balance after this call; null for durables.</summary>
    [Id(6)] public long? RemainingUses { get; init; }

    /// <summary>Consumables: the units this call added; null for durables.</summary>
    [Id(7)] public long? UsesIncrementedBy { get; init; }
}
