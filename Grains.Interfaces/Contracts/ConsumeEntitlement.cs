namespace Entitlements.Contracts;

/// <summary>Use some of a consumable. <see cref="OperationId"/> makes the call idempotent per player.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.ConsumeEntitlement")]
public sealed record ConsumeEntitlement(
    [property: Id(0)] string ItemId,
    [property: Id(1)] long Quantity,
    [property: Id(2)] string OperationId)
{
    /// <summary>
    /// The longest <see cref="OperationId"/> (and <see cref="ItemId"/>), in characters (code points), as the
    /// gateway's consume route takes them. The operation id is a key of a unique index, which PostgreSQL
    /// keeps within about 2.7 KB a row: a longer one could never be stored there, and the store's refusal would
    /// reach the caller as a 503 to retry.
    /// </summary>
    public const int MaxIdLength = 256;

    /// <summary>
    /// Refuse, as the consume route does, an <see cref="ItemId"/> or <see cref="OperationId"/> that is missing or
    /// empty (an operation id left out was stored as NULL on PostgreSQL, never found again, so every retry took
    /// again; an empty one was one key for every later empty one, each a replay or a conflict, never a consume),
    /// text the ledger cannot store (see <see cref="StoredText"/>), ids over <see cref="MaxIdLength"/>, and a
    /// <see cref="Quantity"/> below 1.
    /// </summary>
    public void ThrowIfNotStorable()
    {
        ThrowIfIdNotStorable(ItemId, nameof(ItemId));
        CommandChecks.ThrowIfLessThan(Quantity, 1, nameof(Quantity));
        ThrowIfIdNotStorable(OperationId, nameof(OperationId));
    }

    private static void ThrowIfIdNotStorable(string? value, string name)
    {
        CommandChecks.ThrowIfMissing(value, name);
        StoredText.ThrowIfNotStorable(value, name);
        CommandChecks.ThrowIfLongerThan(value, MaxIdLength, name);
    }
}
