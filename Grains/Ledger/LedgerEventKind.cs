namespace Entitlements.Ledger;

public enum LedgerEventKind
{
    /// <summary>A store's entitlement event (grant, refund, chargeback, reversal), listed by the entitlement-event API.</summary>
    EntitlementEvent = 0,

    /// <summary>Part of a consumable used by the game.</summary>
    EntitlementConsumed = 1,

    /// <summary>
    /// An Xbox consume is about to be sent with a tracking id (<see cref="LedgerEvent.XboxConsume"/>).
    /// Changes nothing; the grant with the tracking id as its transaction id completes it.
    /// </summary>
    XboxConsumeStarted = 2,

    /// <summary>
    /// Xbox refused a started consume for good (a 4xx other than 401, 403, 408 and 429): it deducted nothing,
    /// and nothing is granted. Carries the started consume (<see cref="LedgerEvent.XboxConsume"/>, the same
    /// tracking id). Changes nothing; it finishes the started row as a grant does, so no later call sends it again.
    /// </summary>
    XboxConsumeRefused = 3,
}
