using Entitlements.Contracts;

namespace Entitlements;

/// <summary>
/// Which grain decides an entitlement event: the player's grain when the event names a player or its
/// platform user is linked to one, else <see cref="IEntitlementEventsGrain"/>, which records it with no
/// player. A refund, chargeback or reversal always goes to <see cref="IEntitlementEventsGrain"/>: it
/// belongs to the player who holds its transaction's grant, which only the ledger knows (the platform
/// user may have been linked elsewhere since, or never, and a player it names may not be the one who got
/// the grant); only while no grant is recorded does it go to the player it names, or the linked one.
/// <see cref="IEntitlementEventsGrain.SubmitAsync"/> routes the same way; a caller that makes
/// many calls (the gateway) routes here and saves the worker's hop on grants.
/// </summary>
public static class EntitlementEventRouting
{
    /// <summary>The player the event belongs to: its explicit player UUID, else the platform user's active player.</summary>
    public static async Task<Guid?> ResolvePlayerAsync(this IGrainFactory grains, SubmitEntitlementEvent command)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(command);
        return command.PlayerUuid
            ?? (await grains.Reference<IPlatformUserGrain>(IPlatformUserGrain.Key(command.Platform, command.PlatformUserId)).GetAsync())?.PlayerUuid;
    }

    /// <summary>
    /// Whether the event's player follows its transaction's grant: a refund, chargeback or reversal, whether
    /// or not it names a player. Taken back from a player who never got the grant, it would take nothing and
    /// leave the goods with the one who did; and only an event recorded before the grant counts for a
    /// transaction across players, so which player it went to would make the outcome depend on the order.
    /// Such an event is rare traffic, and worth the read of its transaction.
    /// </summary>
    public static bool FollowsGrant(this SubmitEntitlementEvent command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.ActionType != EntitlementActionType.Grant;
    }

    /// <summary>Hand the event to the grain that decides it; <paramref name="events"/> takes the ones with no player.</summary>
    public static async Task<EntitlementEventResult> SubmitEntitlementEventAsync(this IGrainFactory grains, IEntitlementEventsGrain events, SubmitEntitlementEvent command)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(command);
        command = command.ToStorable();
        if (command.FollowsGrant())
        {
            return await events.SubmitAsync(command);
        }

        return await grains.ResolvePlayerAsync(command) is { } player
            ? await grains.Reference<IPlayerGrain>(player).SubmitEntitlementEventAsync(command)
            : await events.SubmitAsync(command);
    }
}
