using Entitlements.Contracts;

namespace Entitlements.Ledger;

/// <summary>
/// What one ledger event did to one item, resolved when the event was decided so that folding the
/// ledger never needs the catalog. <see cref="Units"/> is the signed change of the item's balance:
/// units of a consumable, or grants backing a durable.
/// </summary>
public sealed record LedgerEffect
{
    public required string ItemId { get; init; }
    public required string ItemName { get; init; }
    public string? ItemClass { get; init; }
    public required EntitlementClazz Clazz { get; init; }
    public required EntitlementType Type { get; init; }
    public string? Sku { get; init; }
    public required long Units { get; init; }

    /// <summary>Units a revocation should have taken but could not, because they were already used.</summary>
    public long Shortfall { get; init; }
    public RevocationPolicy Policy { get; init; }
    public required LedgerChange Change { get; init; }
}
