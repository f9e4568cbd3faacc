using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Paging;
using Entitlements.Storage;
using Orleans.Concurrency;

namespace Entitlements;

/// <summary>
/// Routes an entitlement event to its player's grain (for a refund, chargeback or reversal, the player who
/// holds its transaction's grant; else the explicit player UUID; else the active player of the platform
/// user), records events that belong to no player, and lists events straight from the ledger
/// table by keyset pagination.
/// </summary>
[StatelessWorker]
[Reentrant] // no state of its own: every call runs at once, not one at a time per activation
public sealed class EntitlementEventsGrain(ILedgerStore store, CursorCodec cursors, TimeProvider time) : Grain, IEntitlementEventsGrain
{
    // Each attempt routes the event afresh: a grant committed meanwhile (for a player other than the one
    // the event went to, or while it was about to be recorded with no player, or before a player UUID it
    // names was found to name no player) sends it to that grant's player. An attempt is routed again only
    // when its transaction gained an event since the attempt read it, which happens at most four times
    // (one event per action type; the event's own makes the next attempt a replay).
    private const int MaxAttempts = 5;

    public async Task<EntitlementEventResult> SubmitAsync(SubmitEntitlementEvent command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command = command.ToStorable();
        var followsGrant = command.FollowsGrant();
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            EntitlementEventResult result;
            if (followsGrant
                && GrantHolder(await store.ReadTransactionAsync(command.Platform, command.PlatformTransactionId)) is { } holder)
            {
                // A refund belongs to the player who got the grant, whatever the platform user is linked to now.
                result = await GrainFactory.GetGrain<IPlayerGrain>(holder).SubmitEntitlementEventAsync(command);
            }
            else if (await GrainFactory.ResolvePlayerAsync(command) is { } playerUuid)
            {
                result = await GrainFactory.GetGrain<IPlayerGrain>(playerUuid).SubmitEntitlementEventAsync(command);
            }
            else if (await RecordUnassignedAsync(command, followsGrant) is { } recorded)
            {
                result = recorded;
            }
            else
            {
                continue;
            }

            if (result.Outcome == EntitlementEventOutcome.UnknownPlayer && followsGrant
                && GrantHolder(await store.ReadTransactionAsync(command.Platform, command.PlatformTransactionId)) is not null)
            {
                // The player it names does not exist, but its transaction's grant was committed after the read that
                // routed it: it follows that grant, as it would had it come a moment later.
                continue;
            }

            if (result.Outcome != EntitlementEventOutcome.GrantHeldByAnotherPlayer)
            {
                return result;
            }
        }

        throw new InvalidOperationException("Could not record an entitlement event: its transaction's grant kept moving.");
    }

    /// <summary>
    /// Record an event that belongs to no player: recorded with a null player, nothing changes. Null when it
    /// must be routed again: it follows its transaction's grant, and a grant was recorded (for a player)
    /// meanwhile; or another request recorded the same key meanwhile (the database's unique key on
    /// (platform, platform_transaction_id, action_type) settles concurrent duplicates), which the next
    /// attempt answers as a replay.
    /// </summary>
    private async Task<EntitlementEventResult?> RecordUnassignedAsync(SubmitEntitlementEvent command, bool followsGrant)
    {
        // Read now, not before the player was looked up: a grant committed since then is in view.
        var transaction = await store.ReadTransactionAsync(command.Platform, command.PlatformTransactionId);
        if (EntitlementEventReplay.Find(transaction, command) is { } replay)
        {
            return replay;
        }

        if (followsGrant && GrantHolder(transaction) is not null)
        {
            return null;
        }

        var catalog = await GrainFactory.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(command.Platform, command.Sku)).GetAsync();
        var decided = EntitlementDecider.DecideUnassigned(command, catalog, transaction, Guid.CreateVersion7().ToString("D"), LedgerClock.Now(time)) with
        {
            // An event of the transaction committed between the read and the append refuses it: a grant makes
            // the event that grant's player's, and the next attempt routes it there.
            TransactionEventsRead = transaction.Count,
        };
        var (outcome, appended) = await store.AppendAsync(decided);
        return outcome == AppendOutcome.Appended ? new EntitlementEventResult(EntitlementEventOutcome.Recorded, appended!.Entitlement) : null;
    }

    /// <summary>The player the transaction's grant was recorded for, or null (no grant, or one with no player).</summary>
    private static Guid? GrantHolder(IReadOnlyList<LedgerEvent> transaction) =>
        LedgerTransaction.GrantOf(transaction)?.PlayerUuid;

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
