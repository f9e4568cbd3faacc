namespace Entitlements.Storage;

/// <summary>A finished backup: the file, its size, the newest ledger sequence it holds, and when it was taken.</summary>
public sealed record LedgerBackup(string Path, long Bytes, long LastSequence, DateTimeOffset StartedAt, TimeSpan Duration);
