namespace Entitlements.Storage;

/// <summary>The kinds of value a <c>ledger_events</c> column holds; each engine maps them to its own types.</summary>
public enum LedgerColumnType
{
    Text,
    BigInt,
    SmallInt,
    Uuid,
}
