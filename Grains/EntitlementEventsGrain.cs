using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Paging;
using Entitlements.Storage;
using Orleans.Concurrency;

namespace Entitlements;

/// <summary>
/// Routes an entitlement event to its player's grain (the explicit player UUID; for a refund, chargeback
/// or reversal, else the player who holds its transaction's grant; else the active player of the
/// platform user), records events that belong to no player, and lists events straight from the ledger
/// table by keyset pagination.
/// </summary>
[StatelessWorker]
[Reentrant] // no state of its own: every call runs at once, not one at a time per activation
public sealed class EntitlementEventsGrain(ILedgerStore store, CursorCodec cursors, TimeProvider time) : Grain, IEntitlementEventsGrain
{
    private const int MaxAttempts = 3;

    public async Task<EntitlementEventResult> SubmitAsync(SubmitEntitlementEvent command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.ThrowIfNotStorable();
        IReadOnlyList<LedgerEvent>? read = null;
        if (command.FollowsGrant())
        {
            // A refund belongs to the player who got the grant, whatever the platform user is linked to now.
            read = await store.ReadTransactionAsync(command.Platform, command.PlatformTransactionId);
            if (GrantHolder(read) is { } holder)
            {
                return await GrainFactory.GetGrain<IPlayerGrain>(holder).SubmitEntitlementEventAsync(command);
            }
        }

        if (await GrainFactory.ResolvePlayerAsync(command) is { } playerUuid)
        {
            return await GrainFactory.GetGrain<IPlayerGrain>(playerUuid).SubmitEntitlementEventAsync(command);
        }

        // No player: recorded with a null player, nothing changes. The database's unique key on
        // (platform, platform_transaction_id, action_type) settles concurrent duplicates.
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var transaction = read ?? await store.ReadTransactionAsync(command.Platform, command.PlatformTransactionId);
            read = null;
            if (EntitlementEventReplay.Find(transaction, command) is { } replay)
            {
                return replay;
            }

            var catalog = await GrainFactory.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(command.Platform, command.Sku)).GetAsync();
            var decided = EntitlementDecider.DecideUnassigned(command, catalog, Guid.CreateVersion7().ToString("D"), LedgerClock.Now(time));
            var (outcome, appended) = await store.AppendAsync(decided);
            if (outcome == AppendOutcome.Appended)
            {
                return new EntitlementEventResult(EntitlementEventOutcome.Recorded, appended!.Entitlement);
            }
        }

        throw new InvalidOperationException("Could not record an entitlement event with no player.");
    }

    /// <summary>The player the transaction's grant was recorded for, or null (no grant, or one with no player).</summary>
    private static Guid? GrantHolder(IReadOnlyList<LedgerEvent> transaction) =>
        transaction.FirstOrDefault(e => e.Entitlement!.ActionType == EntitlementActionType.Grant)?.PlayerUuid;

    public async Task<EntitlementEventPage> ListAsync(EntitlementEventQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = Math.Clamp(query.Limit, 1, EntitlementEventQuery.MaxLimit);
        Guid? player = query.PlayerUuid;
        if (player is null && query.PlayerId is { } playerId)
        {
            player = (await store.ReadPlayerByIdAsync(playerId))?.PlayerUuid;
            if (player is null)
            {
                return new EntitlementEventPage([], null);
            }
        }

        long after = 0;
        if (query.Cursor is { } cursor)
        {
            if (await cursors.DecodeAsync(player, cursor) is not { } position)
            {
                return new EntitlementEventPage([], null, InvalidCursor: true);
            }

            after = position;
        }

        var events = player is { } playerUuid
            ? await store.ReadPlayerEntitlementEventsAsync(playerUuid, after, limit + 1)
            : await store.ReadAllEntitlementEventsAsync(after, limit + 1);
        var page = events.Take(limit).ToList();
        string? next = null;
        if (events.Count > limit)
        {
            var last = page[^1];
            next = await cursors.EncodeAsync(player, player is null ? last.Sequence : last.Version!.Value);
        }

        return new EntitlementEventPage([.. page.Select(e => e.Entitlement!)], next);
    }
}
