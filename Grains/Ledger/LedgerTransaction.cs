using Entitlements.Contracts;

namespace Entitlements.Ledger;

/// <summary>What the events of one store transaction (one platform and transaction id) say, read in one place.</summary>
public static class LedgerTransaction
{
    /// <summary>
    /// The transaction's grant, or null when it has none yet. A transaction holds at most one event of each
    /// action type (the store refuses a second), so the first grant is the grant.
    /// </summary>
    public static LedgerEvent? GrantOf(IReadOnlyList<LedgerEvent> transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return transaction.FirstOrDefault(e => e.Entitlement!.ActionType == EntitlementActionType.Grant);
    }
}
