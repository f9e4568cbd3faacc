namespace Entitlements.Contracts;

/// <summary>One of a player's entitlements, with AccelByte's <c>EntitlementInfo</c> meaning.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.PlayerEntitlement")]
public sealed record PlayerEntitlement
{
    [Id(0)] public required string EntitlementId { get; init; }
    [Id(1)] public required Guid PlayerUuid { get; init; }
    [Id(2)] public required string ItemId { get; init; }
    [Id(3)] public required string Name { get; init; }
    [Id(4)] public string? Sku { get; init; }
    [Id(5)] public required EntitlementType Type { get; init; }
    [Id(6)] public required EntitlementClazz Clazz { get; init; }
    [Id(7)] public required EntitlementStatus Status { get; init; }

    /// <summary>Consumables: the remaining balance (negative while a debt is carried). Durables: 1 while owned, else 0.</summary>
    [Id(8)] public required long UseCount { get; init; }
    [Id(9)] public required DateTimeOffset GrantedAt { get; init; }
    [Id(10)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(11)] public required DateTimeOffset UpdatedAt { get; init; }
    [Id(12)] public string? ItemClass { get; init; }
}
