namespace Entitlements.Contracts;

/// <summary>
/// The conditions of a catalog write on the entry's stored revision (HTTP's <c>If-Match</c> and
/// <c>If-None-Match</c>, RFC 9110), checked by the store in the write's own transaction.
/// </summary>
[GenerateSerializer, Immutable, Alias("Entitlements.CatalogPrecondition")]
public sealed record CatalogPrecondition
{
    /// <summary>No condition: the write creates or replaces the entry.</summary>
    public static CatalogPrecondition None { get; } = new();

    /// <summary>Write only when the entry exists at one of these revisions; null: no such condition.</summary>
    [Id(0)] public CatalogRevisions? IfMatch { get; init; }

    /// <summary>Write only when the entry does not exist at one of these revisions; null: no such condition.</summary>
    [Id(1)] public CatalogRevisions? IfNoneMatch { get; init; }

    /// <summary>Whether the write may go ahead, given the stored revision (null: no entry).</summary>
    public bool HoldsFor(long? storedRevision) =>
        (IfMatch is null || IfMatch.Matches(storedRevision)) && (IfNoneMatch is null || !IfNoneMatch.Matches(storedRevision));
}

/// <summary>A list of revisions, or any revision (HTTP's <c>*</c>); neither matches a missing entry.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.CatalogRevisions")]
public sealed record CatalogRevisions
{
    [Id(0)] public bool Any { get; init; }
    [Id(1)] public IReadOnlyList<long> Revisions { get; init; } = [];

    public bool Matches(long? storedRevision) => storedRevision is { } revision && (Any || Revisions.Contains(revision));
}

[GenerateSerializer, Alias("Entitlements.CatalogWriteOutcome")]
public enum CatalogWriteOutcome
{
    /// <summary>The entry was created or replaced.</summary>
    Written = 0,

    /// <summary>The precondition did not hold; nothing was written.</summary>
    PreconditionFailed = 1,

    /// <summary>Another entry maps the same item id to another entitlement type; nothing was written.</summary>
    ItemTypeConflict = 2,

    /// <summary>Another XboxLive entry has the same platform product id; nothing was written.</summary>
    ProductIdConflict = 3,
}

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
