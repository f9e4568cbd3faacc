namespace Entitlements.Ledger;

/// <summary>
/// An Xbox consume recorded before it is sent: re-sending it with the same <see cref="TrackingId"/>
/// never deducts twice, and the grant it leads to carries the tracking id as its transaction id.
/// </summary>
public sealed record XboxConsumeStarted
{
    public required string TrackingId { get; init; }
    public required string Xuid { get; init; }
    public required string XboxItemId { get; init; }
    public required string ProductId { get; init; }

    /// <summary>The Xbox product kind: <c>Consumable</c> or <c>UnmanagedConsumable</c>.</summary>
    public required string ProductKind { get; init; }

    /// <summary>The catalog SKU (platform XboxLive) the product maps to.</summary>
    public required string Sku { get; init; }

    /// <summary>The balance to remove, as seen by the query (all of it).</summary>
    public required long Quantity { get; init; }
}
