namespace Entitlements.Ledger;

public enum LedgerEventKind
{
    /// <summary>A store's entitlement event (grant, refund, chargeback, reversal), listed by the entitlement-event API.</summary>
    EntitlementEvent = 0,

    /// <summary>Part of a consumable used by the game.</summary>
    EntitlementConsumed = 1,
}
