using Entitlements.Contracts;

namespace Entitlements;

/// <summary>
/// Which grain decides an entitlement event: the player's grain when the event names a player or its
/// platform user is linked to one, else <see cref="IEntitlementEventsGrain"/>, which records it with no
/// player. <see cref="IEntitlementEventsGrain.SubmitAsync"/> routes the same way; a caller that makes
/// many calls (the gateway) routes here and saves the worker's hop.
/// </summary>
public static class EntitlementEventRouting
{
    /// <summary>The player the event belongs to: its explicit player UUID, else the platform user's active player.</summary>
    public static async Task<Guid?> ResolvePlayerAsync(this IGrainFactory grains, SubmitEntitlementEvent command)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(command);
        return command.PlayerUuid
            ?? (await grains.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(command.Platform, command.PlatformUserId)).GetAsync())?.PlayerUuid;
    }

    /// <summary>Hand the event to the grain that decides it; <paramref name="events"/> takes the ones with no player.</summary>
    public static async Task<EntitlementEventResult> SubmitEntitlementEventAsync(this IGrainFactory grains, IEntitlementEventsGrain events, SubmitEntitlementEvent command)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(command);
        command.ThrowIfNotStorable();
        return await grains.ResolvePlayerAsync(command) is { } player
            ? await grains.GetGrain<IPlayerGrain>(player).SubmitEntitlementEventAsync(command)
            : await events.SubmitAsync(command);
    }
}
