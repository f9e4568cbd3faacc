using Entitlements.Contracts;

namespace Entitlements;

/// <summary>
/// Decides entitlement events that no player's grain can: a refund, chargeback or reversal (it follows
/// its transaction's grant, which only the ledger knows) and an event with no player, which it records
/// with a null player; and lists events from the ledger table. <see cref="SubmitAsync"/> takes any
/// event and routes it as <see cref="EntitlementEventRouting"/> does, one grain call later: the gateway
/// routes through <see cref="EntitlementEventRouting"/> itself and sends a grant straight to the
/// player's grain (the hop saved is about a tenth of a grant's CPU; docs/ledger.md).
/// A stateless worker: use key 0.
/// </summary>
[Alias("Entitlements.IEntitlementEventsGrain")]
public interface IEntitlementEventsGrain : IGrainWithIntegerKey
{
    [Alias("Submit")]
    Task<EntitlementEventResult> SubmitAsync(SubmitEntitlementEvent command);

    [Alias("List")]
    Task<EntitlementEventPage> ListAsync(EntitlementEventQuery query);
}
