namespace Entitlements.Contracts;

/// <summary>
/// A catalog write's outcome. <see cref="Entry"/> is the entry as stored after the call: the one written, or
/// the one left as it was (null when there is none). <see cref="Conflicting"/> is the other entry a conflict names.
/// </summary>
[GenerateSerializer, Immutable, Alias("Entitlements.CatalogWriteResult")]
public sealed record CatalogWriteResult(
    [property: Id(0)] CatalogWriteOutcome Outcome,
    [property: Id(1)] CatalogSku? Entry,
    [property: Id(2)] CatalogSku? Conflicting = null)
{
    /// <summary>The written entry; a refusal as an <see cref="InvalidOperationException"/>.</summary>
    public CatalogSku WrittenOrThrow(CatalogSku attempted) => Outcome == CatalogWriteOutcome.Written
        ? Entry!
        : throw new InvalidOperationException(Describe(attempted));

    /// <summary>Why the write of <paramref name="attempted"/> was refused, in words.</summary>
    public string Describe(CatalogSku attempted)
    {
        ArgumentNullException.ThrowIfNull(attempted);
        return Outcome switch
        {
            CatalogWriteOutcome.Written => $"Catalog entry {attempted.Platform}/{attempted.Sku} was written.",
            CatalogWriteOutcome.PreconditionFailed => Entry is null
                ? $"Catalog entry {attempted.Platform}/{attempted.Sku} does not exist, and the precondition asks for one."
                : $"Catalog entry {attempted.Platform}/{attempted.Sku} is at revision {Entry.Revision}, which the precondition does not allow.",
            CatalogWriteOutcome.ItemTypeConflict =>
                $"Item '{attempted.ItemId}' is mapped as {Conflicting!.EntitlementType} by catalog entry {Conflicting.Platform}/{Conflicting.Sku}; " +
                $"{attempted.Platform}/{attempted.Sku} cannot map it as {attempted.EntitlementType}.",
            CatalogWriteOutcome.ProductIdConflict =>
                $"Platform product id '{attempted.PlatformProductId}' is already that of catalog entry {Conflicting!.Platform}/{Conflicting.Sku}; " +
                $"{attempted.Platform}/{attempted.Sku} cannot have it too.",
            _ => throw new ArgumentOutOfRangeException(nameof(attempted), Outcome, "Unknown catalog write outcome."),
        };
    }
}
