namespace Entitlements.Contracts;

/// <summary>A recorded entitlement event, as the ledger stores it.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.EntitlementEventRecord")]
public sealed record EntitlementEventRecord
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required EntitlementActionType ActionType { get; init; }
    [Id(2)] public EntitlementType? EntitlementType { get; init; }
    [Id(3)] public required EntitlementEventStatus Status { get; init; }
    [Id(4)] public Guid? PlayerUuid { get; init; }
    [Id(5)] public long? PlayerId { get; init; }
    [Id(6)] public required Platform Platform { get; init; }
    [Id(7)] public required string PlatformUserId { get; init; }
    [Id(8)] public required string Sku { get; init; }
    [Id(9)] public required long Quantity { get; init; }
    [Id(10)] public required string PlatformTransactionId { get; init; }
    [Id(11)] public string? PlatformDataJson { get; init; }

    /// <summary>The event id of the grant this event belongs to (the "order"); see docs/ledger.md, `order_id`.</summary>
    [Id(12)] public string? OrderId { get; init; }
    [Id(13)] public long? LootId { get; init; }
    [Id(14)] public required DateTimeOffset Created { get; init; }
    [Id(15)] public required DateTimeOffset LastModified { get; init; }

    /// <summary>The player's ledger version this event was written at; null for an event with no player.</summary>
    [Id(16)] public long? Version { get; init; }
}
