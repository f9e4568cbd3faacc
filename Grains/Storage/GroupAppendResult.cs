using Entitlements.Ledger;

namespace Entitlements.Storage;

/// <summary>
/// What became of one append of a group commit: its own outcome (and the event as appended), or the
/// exception that failed this append alone while the rest of its batch committed.
/// </summary>
internal readonly record struct GroupAppendResult(AppendOutcome Outcome, LedgerEvent? Appended, Exception? Error)
{
    public static GroupAppendResult Committed(LedgerEvent appended) => new(AppendOutcome.Appended, appended, null);

    public static GroupAppendResult Rejected(AppendOutcome outcome) => new(outcome, null, null);

    public static GroupAppendResult Failed(Exception error) => new(default, null, error);
}
