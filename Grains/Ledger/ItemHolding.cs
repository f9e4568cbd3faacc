using Entitlements.Contracts;

namespace Entitlements.Ledger;

/// <summary>A player's holding of one item.</summary>
public sealed record ItemHolding
{
    /// <summary>The id of the event that first created the holding.</summary>
    public required string EntitlementId { get; init; }
    public required string ItemId { get; init; }
    public required string Name { get; init; }
    public string? ItemClass { get; init; }
    public required EntitlementClazz Clazz { get; init; }
    public required EntitlementType Type { get; init; }
    public string? Sku { get; init; }

    /// <summary>Consumables: remaining units (negative while a debt is carried). Durables: grants backing it.</summary>
    public required long Balance { get; init; }

    /// <summary>Whether a grant ever gave this item (for <see cref="EntitlementType.DurableSingleUse"/>).</summary>
    public bool EverGranted { get; init; }
    public required LedgerChange LastChange { get; init; }
    public required DateTimeOffset GrantedAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
