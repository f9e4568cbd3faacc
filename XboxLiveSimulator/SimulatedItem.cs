namespace Entitlements.XboxLiveSimulator;

/// <summary>One item of a user's collection, in the collections service's JSON shape.</summary>
public sealed record SimulatedItem
{
    public string Id { get; init; } = Guid.NewGuid().ToString("N");
    public required string ProductId { get; init; }
    public string SkuId { get; init; } = "0010";

    /// <summary><c>Game</c>, <c>Application</c>, <c>Pass</c>, <c>Durable</c>, <c>Consumable</c> or <c>UnmanagedConsumable</c>.</summary>
    public string ProductKind { get; init; } = "Durable";

    /// <summary>The remaining balance of a consumable; 1 for anything else.</summary>
    public long Quantity { get; init; } = 1;
    public string Status { get; init; } = "Active";
    public string AcquisitionType { get; init; } = "Single";
    public DateTimeOffset AcquiredDate { get; init; } = DateTimeOffset.UnixEpoch;
    public DateTimeOffset StartDate { get; init; } = DateTimeOffset.UnixEpoch;
    public DateTimeOffset EndDate { get; init; } = new(9999, 12, 31, 23, 59, 59, TimeSpan.Zero);
    public DateTimeOffset ModifiedDate { get; init; } = DateTimeOffset.UnixEpoch;
    public string TransactionId { get; init; } = Guid.NewGuid().ToString("D");
    public IReadOnlyList<string> SatisfiedByProductIds { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];
}
