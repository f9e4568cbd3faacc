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
