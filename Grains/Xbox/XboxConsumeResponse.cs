namespace Entitlements.Xbox;

/// <summary>What the collections consume call answers.</summary>
public sealed record XboxConsumeResponse
{
    public string? ItemId { get; init; }
    public string? ProductId { get; init; }
    public string? TrackingId { get; init; }
    public long NewQuantity { get; init; }
}
