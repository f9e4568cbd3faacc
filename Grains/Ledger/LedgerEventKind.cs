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
}
