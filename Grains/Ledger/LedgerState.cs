using System.Collections.Immutable;

namespace Entitlements.Ledger;

/// <summary>A player's entitlements folded from the ledger up to <see cref="Version"/>.</summary>
public sealed record LedgerState
{
    public static readonly LedgerState Empty = new();

    public long Version { get; init; }
    public ImmutableSortedDictionary<string, ItemHolding> Items { get; init; } =
        ImmutableSortedDictionary<string, ItemHolding>.Empty.WithComparers(StringComparer.Ordinal);
}
