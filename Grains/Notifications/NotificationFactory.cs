using Entitlements.Contracts;
using Entitlements.Ledger;

namespace Entitlements.Notifications;

/// <summary>
/// Decides the notifications a ledger event produces, before it is appended, so that they are written
/// with it. Pure: the player's state before the event and the event itself are all it reads.
/// <list type="bullet">
/// <item>A grant, and the grant of a chargeback reversal, produce <c>entitlementUpdated</c> with action <c>grant</c>.</item>
/// <item>A consumption produces <c>entitlementUpdated</c> with action <c>consume</c>.</item>
/// <item>A refund or chargeback that revoked its grant produces <c>entitlementUpdated</c> with action <c>revoke</c> and one <c>revocationCompleted</c>;
/// so does one whose grant was used up: it takes no units, but the entitlement becomes <c>REVOKED</c>.</item>
/// <item>A player's refund or chargeback that took nothing produces only <c>revocationCompleted</c>: status
/// <c>SUCCESS</c> with the item skipped when it was applied (no grant yet, the transaction already revoked, a
/// grant that gave nothing), status <c>FAIL</c> with one <c>revocationError</c> when it was recorded and not
/// applied (<c>sku_not_found</c>, <c>not_implemented</c>, a caller-supplied status).</item>
/// <item>Any other event that changed nothing produces none, and so does an event with no player: the
/// notifications are delivered per player.</item>
/// </list>
/// </summary>
public static class NotificationFactory
{
    private const string ShortfallReason = "already used: revoked what was left";

    /// <summary>
    /// The event with its notifications. <see cref="LedgerEvent.NoEffect"/> is read here and cleared: the
    /// event returned, which is the one appended, has it null.
    /// </summary>
    public static LedgerEvent Attach(LedgerEvent decided, LedgerState before, NotificationOptions options, string? traceId = null)
    {
        ArgumentNullException.ThrowIfNull(decided);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(options);
        if (decided.PlayerUuid is not { } player)
        {
            return decided with { NoEffect = null };
        }

        if (decided.Effect is not { } effect)
        {
            var nothingTaken = decided.Entitlement is { ActionType: EntitlementActionType.Refund or EntitlementActionType.Chargeback } asked
                ? NothingTaken(decided, asked, player, decided.NoEffect, options, traceId)
                : null;
            return decided with { RevocationCompleted = nothingTaken, NoEffect = null };
        }

        var after = LedgerFold.Apply(before, decided);
        var entitlement = EntitlementInfo.From(LedgerFold.ToEntitlement(player, after.Items[effect.ItemId]), options.Namespace);
        var action = effect.Change switch
        {
            LedgerChange.Consumed => EntitlementUpdateAction.Consume,
            LedgerChange.Revoked => EntitlementUpdateAction.Revoke,
            _ => EntitlementUpdateAction.Grant,
        };
        var updated = new EntitlementUpdated { Payload = new EntitlementUpdatedPayload { Action = action, Data = [entitlement] } };
        var revocation = effect.Change == LedgerChange.Revoked && decided.Entitlement is { } record
            ? Revocation(decided, record, effect, entitlement, options, traceId)
            : null;
        return decided with { EntitlementUpdated = updated, RevocationCompleted = revocation, NoEffect = null };
    }

    private static RevocationCompleted Revocation(
        LedgerEvent decided, EntitlementEventRecord record, LedgerEffect effect, EntitlementInfo entitlement, NotificationOptions options, string? traceId)
    {
        var revoked = -effect.Units;
        var strategy = Strategy(effect.Policy);
        var type = effect.Type == EntitlementType.Consumable ? "CONSUMABLE" : "DURABLE";
        var itemType = ItemType(effect.Clazz);
        var entitlements = new List<EntitlementRevocation>();
        if (revoked > 0)
        {
            entitlements.Add(new EntitlementRevocation
            {
                EntitlementId = entitlement.Id,
                Quantity = EntitlementInfo.ClampCount(revoked),
                ItemId = effect.ItemId,
                ItemSku = effect.Sku,
                RevocationStrategy = strategy,
                Status = RevocationStatus.Success,
                Skipped = false,
            });
        }

        if (effect.Shortfall > 0)
        {
            entitlements.Add(new EntitlementRevocation
            {
                EntitlementId = entitlement.Id,
                Quantity = EntitlementInfo.ClampCount(effect.Shortfall),
                ItemId = effect.ItemId,
                ItemSku = effect.Sku,
                RevocationStrategy = strategy,
                Status = RevocationStatus.Success,
                Skipped = true,
                Reason = ShortfallReason,
            });
        }

        return Completed(decided, record, entitlement.UserId, options, traceId, new Outcome(
            RevocationStatus.Success,
            entitlements,
            [
                new ItemRevocation
                {
                    Quantity = EntitlementInfo.ClampCount(revoked),
                    ItemId = effect.ItemId,
                    ItemSku = effect.Sku,
                    ItemType = itemType,
                    RevocationStrategy = strategy,
                    Status = RevocationStatus.Success,
                    Skipped = revoked == 0,
                    Reason = effect.Shortfall > 0 ? ShortfallReason : null,
                },
            ],
            [
                new RevokeEntry
                {
                    Type = "ENTITLEMENT",
                    Item = new RevokeEntryItem { ItemIdentityType = "ITEM_ID", ItemIdentity = effect.ItemId },
                    Entitlement = new RevokeEntryEntitlement { EntitlementId = entitlement.Id, Type = type, Clazz = entitlement.Clazz },
                    Quantity = EntitlementInfo.ClampCount(revoked + effect.Shortfall),
                },
            ],
            []));
    }

    /// <summary>
    /// The <c>revocationCompleted</c> of a refund or chargeback that took nothing. Applied (status
    /// <c>success</c>): <c>SUCCESS</c>, the SKU's item skipped with the reason. Recorded and not applied:
    /// <c>FAIL</c> with one error, and the item failed. The item is named when the catalog knows the SKU,
    /// as an <c>ITEM</c> revoke entry of quantity 0: no entitlement was touched.
    /// </summary>
    private static RevocationCompleted NothingTaken(
        LedgerEvent decided, EntitlementEventRecord record, Guid player, NoEffect? why, NotificationOptions options, string? traceId)
    {
        var reason = why?.Reason ?? NoEffectReason.StatusGiven;
        var error = record.Status == EntitlementEventStatus.Success ? null : Error(record.Status, reason);
        var status = error is null ? RevocationStatus.Success : RevocationStatus.Fail;
        var items = new List<ItemRevocation>();
        var entries = new List<RevokeEntry>();
        if (why?.Catalog is { } catalog)
        {
            items.Add(new ItemRevocation
            {
                Quantity = 0,
                ItemId = catalog.ItemId,
                ItemSku = catalog.Sku,
                ItemType = ItemType(catalog.Clazz),
                RevocationStrategy = Strategy(catalog.RevocationPolicy),
                Status = status,
                Skipped = error is null,
                Reason = error?.Message ?? SkipReason(reason),
            });
            entries.Add(new RevokeEntry
            {
                Type = "ITEM",
                Item = new RevokeEntryItem { ItemIdentityType = "ITEM_ID", ItemIdentity = catalog.ItemId },
                Quantity = 0,
            });
        }

        return Completed(decided, record, player.ToString("N"), options, traceId, new Outcome(status, [], items, entries, error is null ? [] : [error]));
    }

    /// <summary>Why an applied refund or chargeback took nothing, in AccelByte's <c>reason</c>.</summary>
    private static string SkipReason(NoEffectReason reason) => reason switch
    {
        NoEffectReason.NoGrant => "no grant of this transaction yet: nothing to revoke",
        NoEffectReason.AlreadyRevoked => "transaction already revoked: nothing left to revoke",
        NoEffectReason.AlreadyReversed => "chargeback already reversed: nothing to revoke",
        _ => "the grant gave nothing: nothing to revoke",
    };

    /// <summary>
    /// The error of a refund or chargeback recorded with a status other than <c>success</c>. AccelByte
    /// publishes no numeric error code for these, so <c>code</c> repeats the HTTP status: 404 for an
    /// unknown SKU or player, 422 for a SKU whose policy forbids revocation (the request is understood and
    /// will never be applied), 500 for a ban that failed.
    /// </summary>
    private static RevocationError Error(EntitlementEventStatus status, NoEffectReason reason)
    {
        var httpStatus = status switch
        {
            EntitlementEventStatus.SkuNotFound or EntitlementEventStatus.PlayerNotFound => 404,
            EntitlementEventStatus.NotImplemented => 422,
            _ => 500,
        };
        var name = WireNames<EntitlementEventStatus>.Of(status);
        var message = reason switch
        {
            NoEffectReason.SkuNotFound => $"{name}: the SKU is not in the catalog; nothing was revoked",
            NoEffectReason.NotRevocable => $"{name}: the SKU is not revocable; nothing was revoked",
            _ => $"{name}: recorded with the status the caller gave; nothing was revoked",
        };
        return new RevocationError { HttpStatus = httpStatus, Code = httpStatus, Message = message };
    }

    private static string Strategy(RevocationPolicy policy) => policy switch
    {
        RevocationPolicy.AllowNegative => RevocationStrategy.AlwaysRevoke,
        RevocationPolicy.NotRevocable => RevocationStrategy.Custom,
        _ => RevocationStrategy.RevokeOrReport,
    };

    /// <summary>What a revocation did: the payload's status and lists.</summary>
    private sealed record Outcome(
        string Status,
        IReadOnlyList<EntitlementRevocation> Entitlements,
        IReadOnlyList<ItemRevocation> Items,
        IReadOnlyList<RevokeEntry> Entries,
        IReadOnlyList<RevocationError> Errors);

    /// <summary>The <c>revocationCompleted</c> envelope and payload around what the revocation did.</summary>
    private static RevocationCompleted Completed(
        LedgerEvent decided, EntitlementEventRecord record, string userId, NotificationOptions options, string? traceId, Outcome outcome)
    {
        var hexId = EntitlementInfo.HexId(decided.EventId);
        return new RevocationCompleted
        {
            Id = decided.EventId,
            Namespace = options.Namespace,
            Timestamp = AccelByteTime.Format(decided.Created),
            ClientId = options.ClientId,
            TraceId = traceId ?? hexId,
            Payload = new RevocationCompletedPayload
            {
                UserId = userId,
                Source = "ORDER",
                Meta = new RevocationMeta
                {
                    EventId = decided.EventId,
                    ActionType = WireNames<EntitlementActionType>.Of(record.ActionType),
                    Platform = WireNames<Platform>.Of(record.Platform),
                    PlatformTransactionId = record.PlatformTransactionId,
                    PlatformUserId = record.PlatformUserId,
                    Sku = record.Sku,
                    OrderId = record.OrderId,
                    Version = decided.Version ?? 0,
                },
                EntitlementRevocations = outcome.Entitlements,
                ItemRevocations = outcome.Items,
                RevokeEntries = outcome.Entries,
                RevocationId = hexId,
                Namespace = options.Namespace,
                Status = outcome.Status,
                RevocationError = outcome.Errors,
                RequestId = hexId,
            },
        };
    }

    /// <summary>
    /// AccelByte's item type (<c>ItemRevocation.itemType</c>: APP, BUNDLE, CODE, COINS, EXTENSION,
    /// INGAMEITEM, LOOTBOX, MEDIA, OPTIONBOX, SEASON, SUBSCRIPTION) of an item of an entitlement class: the
    /// classes other than ENTITLEMENT have an item type of the same name; a plain entitlement is an in-game item.
    /// </summary>
    internal static string ItemType(EntitlementClazz clazz) => clazz == EntitlementClazz.Entitlement
        ? "INGAMEITEM"
        : WireNames<EntitlementClazz>.Of(clazz);
}
