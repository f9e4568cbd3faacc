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

    /// <summary>Refuse text the ledger cannot store (see <see cref="StoredText"/>), and ids over <see cref="MaxIdLength"/>.</summary>
    public void ThrowIfNotStorable()
    {
        StoredText.ThrowIfNotStorable(ItemId);
        StoredText.ThrowIfNotStorable(OperationId);
        ThrowIfTooLong(ItemId, nameof(ItemId));
        ThrowIfTooLong(OperationId, nameof(OperationId));
    }

    private static void ThrowIfTooLong(string? value, string name)
    {
        // Counted only once it is known to be valid UTF-16, so every surrogate pair is one character.
        if (value is not null && value.Length > MaxIdLength && value.EnumerateRunes().Count() > MaxIdLength)
        {
            throw new ArgumentException($"{name} is longer than {MaxIdLength} characters, which the ledger does not store.", name);
        }
    }
}
