namespace Entitlements.Xbox;

/// <summary>One page of a collections query.</summary>
public sealed record XboxCollectionsPage(IReadOnlyList<XboxCollectionItem> Items, string? ContinuationToken);
