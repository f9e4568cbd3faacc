namespace Entitlements;

/// <summary>Configuration section <c>Ledger</c>.</summary>
public sealed class LedgerOptions
{
    public const string SectionName = "Ledger";

    /// <summary>A player's snapshot is rewritten after this many new events, bounding activation cost.</summary>
    public int SnapshotEvery { get; set; } = 100;
}
