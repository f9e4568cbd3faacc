using Entitlements.Contracts;

namespace Entitlements.Ledger;

/// <summary>
/// Why an entitlement event changed nothing, and the catalog entry it was decided with: what its
/// notifications say about it (a refund or chargeback that took nothing still has its
/// <c>revocationCompleted</c>).
/// </summary>
public sealed record NoEffect
{
    public required NoEffectReason Reason { get; init; }

    /// <summary>The catalog entry of the event's (platform, sku) when it was decided; null when there is none.</summary>
    public CatalogSku? Catalog { get; init; }
}
