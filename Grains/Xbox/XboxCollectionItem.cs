namespace Entitlements.Xbox;

/// <summary>One item of a user's Xbox collection, as the collections query returns it.</summary>
public sealed record XboxCollectionItem
{
    public required string Id { get; init; }
    public required string ProductId { get; init; }
    public string? SkuId { get; init; }

    /// <summary><c>Game</c>, <c>Application</c>, <c>Pass</c>, <c>Durable</c>, <c>Consumable</c> or <c>UnmanagedConsumable</c>.</summary>
    public required string ProductKind { get; init; }

    /// <summary>The remaining balance of a consumable; 1 for durables.</summary>
    public long Quantity { get; init; }

    /// <summary><c>Active</c>, <c>Revoked</c>, <c>Expired</c>, <c>Banned</c> or <c>Suspended</c>.</summary>
    public string Status { get; init; } = "Active";
    public string? TransactionId { get; init; }

    public bool IsConsumable => ProductKind is "Consumable" or "UnmanagedConsumable";
}
