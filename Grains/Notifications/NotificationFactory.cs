using Entitlements.Contracts;
using Entitlements.Ledger;

namespace Entitlements.Notifications;

/// <summary>
/// Decides the notifications a ledger event produces, before it is appended, so that they are written
/// with it. Pure: the player's state before the event and the event itself are all it reads.
/// <list type="bullet">
/// <item>An event that changed nothing (no effect) produces none.</item>
/// <item>A grant, and the grant of a chargeback reversal, produce <c>entitlementUpdated</c> with action <c>grant</c>.</item>
/// <item>A consumption produces <c>entitlementUpdated</c> with action <c>consume</c>.</item>
/// <item>A refund or chargeback produces <c>entitlementUpdated</c> with action <c>revoke</c> and one <c>revocationCompleted</c>.</item>
/// </list>
/// </summary>
public static class NotificationFactory
{
    private const string ShortfallReason = "already used: revoked what was left";

    public static LedgerEvent Attach(LedgerEvent decided, LedgerState before, NotificationOptions options, string? traceId = null)
    {
        ArgumentNullException.ThrowIfNull(decided);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(options);
        if (decided.Effect is not { } effect || decided.PlayerUuid is not { } player)
        {
            return decided;
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
        return decided with { EntitlementUpdated = updated, RevocationCompleted = revocation };
    }

    private static RevocationCompleted Revocation(
        LedgerEvent decided, EntitlementEventRecord record, LedgerEffect effect, EntitlementInfo entitlement, NotificationOptions options, string? traceId)
    {
        var revoked = -effect.Units;
        var strategy = effect.Policy == RevocationPolicy.AllowNegative ? RevocationStrategy.AlwaysRevoke : RevocationStrategy.RevokeOrReport;
        var type = effect.Type == EntitlementType.Consumable ? "CONSUMABLE" : "DURABLE";
        var itemType = ItemType(effect.Clazz);
        var entitlements = new List<EntitlementRevocation>();
        if (revoked > 0)
        {
            entitlements.Add(new EntitlementRevocation
            {
                EntitlementId = entitlement.Id,
                Quantity = revoked,
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
                Quantity = effect.Shortfall,
                ItemId = effect.ItemId,
                ItemSku = effect.Sku,
                RevocationStrategy = strategy,
                Status = RevocationStatus.Success,
                Skipped = true,
                Reason = ShortfallReason,
            });
        }

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
                UserId = entitlement.UserId,
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
                EntitlementRevocations = entitlements,
                ItemRevocations =
                [
                    new ItemRevocation
                    {
                        Quantity = revoked,
                        ItemId = effect.ItemId,
                        ItemSku = effect.Sku,
                        ItemType = itemType,
                        RevocationStrategy = strategy,
                        Status = RevocationStatus.Success,
                        Skipped = revoked == 0,
                        Reason = effect.Shortfall > 0 ? ShortfallReason : null,
                    },
                ],
                RevokeEntries =
                [
                    new RevokeEntry
                    {
                        Type = "ENTITLEMENT",
                        Item = new RevokeEntryItem { ItemIdentityType = "ITEM_ID", ItemIdentity = effect.ItemId },
                        Entitlement = new RevokeEntryEntitlement { EntitlementId = entitlement.Id, Type = type, Clazz = entitlement.Clazz },
                        Quantity = revoked + effect.Shortfall,
                    },
                ],
                RevocationId = hexId,
                Namespace = options.Namespace,
                Status = RevocationStatus.Success,
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
