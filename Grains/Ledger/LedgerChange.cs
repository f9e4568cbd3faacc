namespace Entitlements.Ledger;

/// <summary>The last kind of change applied to an item; decides how an empty balance is reported.</summary>
public enum LedgerChange
{
    Granted = 0,
    Consumed = 1,
    Revoked = 2,
    Restored = 3,
}
