namespace Entitlements.Contracts;

/// <summary>Use some of a consumable. <see cref="OperationId"/> makes the call idempotent per player.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.ConsumeEntitlement")]
public sealed record ConsumeEntitlement(
    [property: Id(0)] string ItemId,
    [property: Id(1)] long Quantity,
    [property: Id(2)] string OperationId)
{
    /// <summary>Refuse text the ledger cannot store (see <see cref="StoredText"/>).</summary>
    public void ThrowIfNotStorable()
    {
        StoredText.ThrowIfNotStorable(ItemId);
        StoredText.ThrowIfNotStorable(OperationId);
    }
}
