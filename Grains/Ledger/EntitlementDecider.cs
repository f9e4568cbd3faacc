using Entitlements.Contracts;

namespace Entitlements.Ledger;

/// <summary>
/// Decides what a command does to a player's ledger. Pure: given the same state, catalog entry and
/// related events it always produces the same ledger event.
/// </summary>
public static class EntitlementDecider
{
    /// <summary>
    /// Decide an entitlement event for a player.
    /// </summary>
    /// <param name="state">The player's folded ledger.</param>
    /// <param name="player">The player the event resolved to.</param>
    /// <param name="command">The store's event.</param>
    /// <param name="catalog">The catalog entry of (platform, sku) now, or null.</param>
    /// <param name="transaction">Every recorded event with the same (platform, platform_transaction_id), any player.</param>
    /// <param name="eventId">The id for the new event.</param>
    /// <param name="now">The time of the event.</param>
    public static LedgerEvent DecideEntitlementEvent(
        LedgerState state,
        PlayerInfo player,
        SubmitEntitlementEvent command,
        CatalogSku? catalog,
        IReadOnlyList<LedgerEvent> transaction,
        string eventId,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(player);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(transaction);
        ThrowIfGrantQuantityNotPositive(command);

        var (status, effect, orderId, reason) = Decide(state, player.PlayerUuid, command, catalog, transaction, eventId);
        return new LedgerEvent
        {
            EventId = eventId,
            Kind = LedgerEventKind.EntitlementEvent,
            PlayerUuid = player.PlayerUuid,
            Version = state.Version + 1,
            Created = now,
            RequestFingerprint = RequestFingerprint.Of(command),
            Effect = effect,
            Entitlement = Record(command, eventId, status, catalog, player.PlayerUuid, player.PlayerId, orderId, state.Version + 1, now),
            NoEffect = effect is null ? new NoEffect { Reason = reason, Catalog = catalog } : null,
        };
    }

    /// <summary>
    /// Decide an entitlement event whose platform user belongs to no player: recorded, nothing changes. A refund,
    /// chargeback or reversal so recorded still counts for its transaction when a grant of it comes (see <c>Counts</c>),
    /// unless a player's would have been <c>not_implemented</c> (its SKU <c>not_revocable</c> now, and, for a
    /// reversal, no chargeback of the transaction that counts to settle): that is decided now, with the catalog
    /// entry of now, and recorded as <c>not_implemented</c>, so a later change of the policy changes nothing of it.
    /// </summary>
    /// <param name="transaction">Every recorded event with the same (platform, platform_transaction_id).</param>
    public static LedgerEvent DecideUnassigned(
        SubmitEntitlementEvent command, CatalogSku? catalog, IReadOnlyList<LedgerEvent> transaction, string eventId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(transaction);
        ThrowIfGrantQuantityNotPositive(command);
        var given = command.Status is { } supplied && supplied != EntitlementEventStatus.Success;
        var notRevocable = !given
            && command.ActionType != EntitlementActionType.Grant
            && catalog is { RevocationPolicy: RevocationPolicy.NotRevocable }
            && !(command.ActionType == EntitlementActionType.ChargebackReversal
                && transaction.Any(e => e.Entitlement is { ActionType: EntitlementActionType.Chargeback } && Counts(e)));
        var (status, reason) = given ? (command.Status!.Value, NoEffectReason.StatusGiven)
            : notRevocable ? (EntitlementEventStatus.NotImplemented, NoEffectReason.NotRevocable)
            : (EntitlementEventStatus.PlayerNotFound, NoEffectReason.PlayerNotFound);
        return new LedgerEvent
        {
            EventId = eventId,
            Kind = LedgerEventKind.EntitlementEvent,
            Created = now,
            RequestFingerprint = RequestFingerprint.Of(command),
            Entitlement = Record(command, eventId, status, catalog, null, null, null, null, now),
            NoEffect = new NoEffect { Reason = reason, Catalog = catalog },
        };
    }

    /// <summary>A grant gives its quantity and needs one above zero; any other event's quantity is recorded, not used.</summary>
    private static void ThrowIfGrantQuantityNotPositive(SubmitEntitlementEvent command)
    {
        if (command.ActionType == EntitlementActionType.Grant)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(command.Quantity);
        }
    }

    /// <summary>Decide a consumption; returns the rejection instead of an event when it cannot be done.</summary>
    public static (LedgerEvent? Event, ConsumeOutcome Outcome) DecideConsume(
        LedgerState state, Guid playerUuid, ConsumeEntitlement command, string eventId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(command.Quantity);
        if (!state.Items.TryGetValue(command.ItemId, out var holding))
        {
            return (null, ConsumeOutcome.NotOwned);
        }

        if (holding.Type != EntitlementType.Consumable)
        {
            return (null, ConsumeOutcome.NotConsumable);
        }

        if (holding.Balance < command.Quantity)
        {
            return (null, ConsumeOutcome.InsufficientBalance);
        }

        var effect = EffectOn(holding, -command.Quantity, LedgerChange.Consumed);
        var consumed = new LedgerEvent
        {
            EventId = eventId,
            Kind = LedgerEventKind.EntitlementConsumed,
            PlayerUuid = playerUuid,
            Version = state.Version + 1,
            Created = now,
            OperationId = command.OperationId,
            RequestFingerprint = RequestFingerprint.Of(command),
            Effect = effect,
        };
        return (consumed, ConsumeOutcome.Consumed);
    }

    /// <summary>The event's status, effect and order id; when it has no effect, <c>Reason</c> says why.</summary>
    private static (EntitlementEventStatus Status, LedgerEffect? Effect, string? OrderId, NoEffectReason Reason) Decide(
        LedgerState state, Guid playerUuid, SubmitEntitlementEvent command, CatalogSku? catalog, IReadOnlyList<LedgerEvent> transaction, string eventId)
    {
        if (command.Status is { } given && given != EntitlementEventStatus.Success)
        {
            return (given, null, null, NoEffectReason.StatusGiven);
        }

        if (catalog is null)
        {
            return (EntitlementEventStatus.SkuNotFound, null, null, NoEffectReason.SkuNotFound);
        }

        // Only events that were applied count: a recorded-as-given status changed nothing. The grant is this
        // player's own (what a revocation takes back is in this player's state). A revocation or reversal of
        // another player, or of none (see Counts), counts when it came before this player's grant, or there is
        // none yet: it was recorded while the transaction had no grant (for the player the platform user was
        // linked to then, or for nobody), and so blocked, or settled, the transaction as a whole, whichever
        // player its grant then went to.
        var applied = transaction.Where(Counts).ToList();
        var grant = Find(applied.Where(e => e.PlayerUuid == playerUuid).ToList(), EntitlementActionType.Grant);
        var counted = applied
            .Where(e => e.PlayerUuid == playerUuid || grant is null || e.Sequence < grant.Sequence)
            .ToList();
        var refund = Find(counted, EntitlementActionType.Refund);
        var chargeback = Find(counted, EntitlementActionType.Chargeback);
        var reversal = Find(counted, EntitlementActionType.ChargebackReversal);

        // Store notifications arrive in any order, so whether the transaction stands is a matter of which of
        // its events exist, not of their order: its money is back with the buyer when it was refunded, or
        // charged back and that chargeback not reversed (a reversal that came first settles the chargeback).
        // Each event then does what moves the player from the old answer to the new one, and nothing else.
        var revoked = refund is not null || (chargeback is not null && reversal is null);

        // A reversal of a chargeback that was applied (under a policy that let it take the grant, or block it)
        // settles that chargeback whatever the policy is now: the player who won the dispute gets back what
        // was taken. Made not_revocable since, the SKU only stops new revocations.
        var settlesAppliedChargeback = command.ActionType == EntitlementActionType.ChargebackReversal && chargeback is not null;
        if (command.ActionType != EntitlementActionType.Grant && catalog.RevocationPolicy == RevocationPolicy.NotRevocable && !settlesAppliedChargeback)
        {
            return (EntitlementEventStatus.NotImplemented, null, grant?.EventId, NoEffectReason.NotRevocable);
        }

        switch (command.ActionType)
        {
            case EntitlementActionType.Grant:
                if (revoked)
                {
                    // The money for this transaction was already returned: record the grant, give nothing.
                    return (EntitlementEventStatus.Success, null, eventId, NoEffectReason.AlreadyRevoked);
                }

                // Only a durable_single_use item granted before gives nothing.
                return (EntitlementEventStatus.Success, GrantEffect(state, command, catalog), eventId, NoEffectReason.AlreadyGranted);

            case EntitlementActionType.Refund:
            case EntitlementActionType.Chargeback:
                if (command.ActionType == EntitlementActionType.Chargeback && reversal is not null && refund is null)
                {
                    // Its reversal came first: the dispute is settled, and the transaction stands.
                    return (EntitlementEventStatus.Success, null, grant?.EventId, NoEffectReason.AlreadyReversed);
                }

                if (grant is null || revoked)
                {
                    // Nothing to take: no grant yet (a later grant of this transaction will then give nothing),
                    // or the transaction is revoked already. After a reversal it stands again and can be refunded.
                    return (EntitlementEventStatus.Success, null, grant?.EventId, grant is null ? NoEffectReason.NoGrant : NoEffectReason.AlreadyRevoked);
                }

                // What the transaction gave: its grant's effect, or the reversal's when the grant was blocked by
                // the chargeback and given by the reversal. Only a grant that gave nothing leaves nothing to take.
                var gave = grant.Effect ?? (reversal?.Effect is { Change: LedgerChange.Granted } late ? late : null);
                return (EntitlementEventStatus.Success, RevokeEffect(state, gave, catalog.RevocationPolicy), grant.EventId, NoEffectReason.GrantGaveNothing);

            case EntitlementActionType.ChargebackReversal:
                return (EntitlementEventStatus.Success, ReversalEffect(state, playerUuid, command, catalog, grant, refund, chargeback), grant?.EventId, NoEffectReason.NothingToRestore);

            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.ActionType, "Unknown action type.");
        }
    }

    /// <summary>
    /// What a chargeback reversal gives back: exactly what its chargeback took; or, when the chargeback came
    /// before the grant and so the grant gave nothing, what the grant gives now that the transaction stands.
    /// Nothing while the transaction is refunded (that money is back with the buyer either way), and
    /// nothing without a chargeback (the reversal then settles a chargeback that comes later).
    /// </summary>
    private static LedgerEffect? ReversalEffect(
        LedgerState state, Guid playerUuid, SubmitEntitlementEvent command, CatalogSku catalog, LedgerEvent? grant, LedgerEvent? refund, LedgerEvent? chargeback)
    {
        if (refund is not null || chargeback is null)
        {
            return null;
        }

        var ours = chargeback.PlayerUuid == playerUuid;
        if (chargeback.Effect is { Units: < 0 } taken)
        {
            // Only what was taken from this player comes back to this player.
            return ours ? EffectOn(state.Items[taken.ItemId], -taken.Units, LedgerChange.Restored) : null;
        }

        // Another player's chargeback counts only when it came before this player's grant (see Decide).
        if (grant is { Effect: null } blocked && (!ours || chargeback.Version < blocked.Version))
        {
            // The grant came after the chargeback, which blocked it.
            // The grant's own quantity, with the catalog entry of now.
            var granted = command with { Quantity = blocked.Entitlement!.Quantity };
            return GrantEffect(state, granted, catalog);
        }

        return null;
    }

    /// <summary>
    /// Whether a recorded event counts for its transaction: it was applied (<c>success</c>), or it is a refund,
    /// chargeback or reversal recorded with no player (<c>player_not_found</c>: its platform user was linked to
    /// nobody, and the transaction had no grant). Such an event was decided for nobody, but the store's money
    /// moved all the same, so it counts as it would have for a player with no grant: unless its SKU was not in
    /// the catalog then, or its status was the caller's. (One a player's would have made <c>not_implemented</c>
    /// was recorded so, and does not count: see <see cref="DecideUnassigned"/>.)
    /// </summary>
    private static bool Counts(LedgerEvent e) =>
        e.Entitlement is { } record
        && (record.Status == EntitlementEventStatus.Success
            || (e.PlayerUuid is null
                && record is { ActionType: not EntitlementActionType.Grant, Status: EntitlementEventStatus.PlayerNotFound, EntitlementType: not null }
                && !StatusSupplied(e, record)));

    /// <summary>
    /// Whether an event recorded with no player had its status from the caller: a caller may send
    /// <c>player_not_found</c> itself, and only the request the event was recorded for tells them apart.
    /// </summary>
    private static bool StatusSupplied(LedgerEvent e, EntitlementEventRecord record) =>
        e.RequestFingerprint == RequestFingerprint.Of(new SubmitEntitlementEvent
        {
            ActionType = record.ActionType,
            Status = record.Status,
            Platform = record.Platform,
            PlatformUserId = record.PlatformUserId,
            Sku = record.Sku,
            Quantity = record.Quantity,
            PlatformTransactionId = record.PlatformTransactionId,
            PlatformDataJson = record.PlatformDataJson,
        });

    private static LedgerEvent? Find(List<LedgerEvent> events, EntitlementActionType action) =>
        events.FirstOrDefault(e => e.Entitlement!.ActionType == action);

    private static LedgerEffect? GrantEffect(LedgerState state, SubmitEntitlementEvent command, CatalogSku catalog)
    {
        var holding = state.Items.GetValueOrDefault(catalog.ItemId);
        if (catalog.EntitlementType == EntitlementType.DurableSingleUse && holding is { EverGranted: true })
        {
            return null;
        }

        var units = catalog.EntitlementType == EntitlementType.Consumable ? UnitsOf(command.Quantity, catalog.UnitsPerQuantity) : 1;
        ThrowIfBalanceOverflows(holding?.Balance ?? 0, units);
        return new LedgerEffect
        {
            ItemId = catalog.ItemId,
            ItemName = catalog.ItemName,
            ItemClass = catalog.ItemClass,
            Clazz = catalog.Clazz,
            Type = holding?.Type ?? catalog.EntitlementType,
            Sku = catalog.Sku,
            Units = units,
            Policy = catalog.RevocationPolicy,
            Change = LedgerChange.Granted,
        };
    }

    private static LedgerEffect? RevokeEffect(LedgerState state, LedgerEffect? given, RevocationPolicy policy)
    {
        if (given is null || given.Units <= 0)
        {
            return null;
        }

        var holding = state.Items[given.ItemId];
        var available = Math.Max(0, holding.Balance);
        var revoked = holding.Type == EntitlementType.Consumable && policy == RevocationPolicy.AllowNegative
            ? given.Units
            : Math.Min(given.Units, available);
        return EffectOn(holding, -revoked, LedgerChange.Revoked) with
        {
            // The SKU of the grant taken back, which for an item sold under several SKUs need not be the
            // one that first gave the player the item.
            Sku = given.Sku ?? holding.Sku,
            Shortfall = given.Units - revoked,
            Policy = policy,
        };
    }

    private static LedgerEffect EffectOn(ItemHolding holding, long units, LedgerChange change)
    {
        ThrowIfBalanceOverflows(holding.Balance, units);
        return new()
        {
            ItemId = holding.ItemId,
            ItemName = holding.Name,
            ItemClass = holding.ItemClass,
            Clazz = holding.Clazz,
            Type = holding.Type,
            Sku = holding.Sku,
            Units = units,
            Change = change,
        };
    }

    /// <summary>The units a consumable grant of <paramref name="quantity"/> gives; refused when they exceed 64 bits.</summary>
    private static long UnitsOf(long quantity, long unitsPerQuantity) =>
        quantity <= long.MaxValue / Math.Max(1, unitsPerQuantity)
            ? quantity * unitsPerQuantity
            : throw new BalanceLimitException(nameof(quantity), quantity);

    /// <summary>
    /// Refuse an effect that would take an item's balance past what 64 bits hold. The fold adds without a
    /// check, so such an event would wrap the balance round (a huge grant leaving a negative balance) in the
    /// ledger for good: it is refused before it is appended, as a bad quantity is.
    /// </summary>
    private static void ThrowIfBalanceOverflows(long balance, long units)
    {
        if (units > 0 ? balance > long.MaxValue - units : balance < long.MinValue - units)
        {
            throw new BalanceLimitException(nameof(units), units);
        }
    }

    private static EntitlementEventRecord Record(
        SubmitEntitlementEvent command,
        string eventId,
        EntitlementEventStatus status,
        CatalogSku? catalog,
        Guid? playerUuid,
        long? playerId,
        string? orderId,
        long? version,
        DateTimeOffset now) => new()
        {
            EventId = eventId,
            ActionType = command.ActionType,
            EntitlementType = catalog?.EntitlementType,
            Status = status,
            PlayerUuid = playerUuid,
            PlayerId = playerId,
            Platform = command.Platform,
            PlatformUserId = command.PlatformUserId,
            Sku = command.Sku,
            Quantity = command.Quantity,
            PlatformTransactionId = command.PlatformTransactionId,
            PlatformDataJson = command.PlatformDataJson,
            OrderId = orderId,
            LootId = catalog?.LootIdFor(command.ActionType),
            Created = now,
            LastModified = now,
            Version = version,
        };
}
