using Entitlements.Contracts;

namespace Entitlements;

/// <summary>
/// The entry point for entitlement events: resolves the player of an event and hands it to that
/// player's grain, records events that have no player, and lists events from the ledger table.
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
