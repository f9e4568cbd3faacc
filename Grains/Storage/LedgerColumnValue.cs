namespace Entitlements.Storage;

/// <summary>One column of a ledger row to insert; a null <see cref="Value"/> is SQL NULL.</summary>
public readonly record struct LedgerColumnValue(string Name, LedgerColumnType Type, object? Value);
