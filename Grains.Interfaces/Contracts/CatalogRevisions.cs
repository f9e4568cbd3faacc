namespace Entitlements.Contracts;

/// <summary>A list of revisions, or any revision (HTTP's <c>*</c>); neither matches a missing entry.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.CatalogRevisions")]
public sealed record CatalogRevisions
{
    [Id(0)] public bool Any { get; init; }
    [Id(1)] public IReadOnlyList<long> Revisions { get; init; } = [];

    public bool Matches(long? storedRevision) => storedRevision is { } revision && (Any || Revisions.Contains(revision));
}
