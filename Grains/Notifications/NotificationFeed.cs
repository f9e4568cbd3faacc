using Entitlements.Ledger;
using Entitlements.Paging;
using Entitlements.Storage;

namespace Entitlements.Notifications;

/// <summary>
/// The notification feed as the ledger holds it: the messages written with each event, in global
/// sequence order, each at a position (<see cref="EntitlementNotification.PositionOf"/>) with a signed
/// cursor. Every durable consumer (the stream relay, each webhook, a resuming WebSocket) reads it.
/// </summary>
public sealed class NotificationFeed(ILedgerStore store, CursorCodec cursors)
{
    /// <summary>Notifications after <paramref name="afterPosition"/>, at most <paramref name="limit"/>, oldest first.</summary>
    public async Task<NotificationPage> ReadAsync(Guid? playerUuid, long afterPosition, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);

        // The event at the position's sequence is read again: it may still have its second notification to
        // give, or nothing. Every later event gives at least one, so limit + 1 of them tell whether more follows.
        var events = await store.ReadNotifyingEventsAsync(playerUuid, EntitlementNotification.SequenceOf(afterPosition) - 1, limit + 2, cancellationToken);
        var notifications = new List<EntitlementNotification>(Math.Min(limit, events.Count * 2));
        var more = false;
        foreach (var ledgerEvent in events)
        {
            foreach (var notification in await ToNotificationsAsync(ledgerEvent))
            {
                if (notification.Position <= afterPosition)
                {
                    continue;
                }

                if (notifications.Count == limit)
                {
                    more = true;
                    break;
                }

                notifications.Add(notification);
            }

            if (more)
            {
                break;
            }
        }

        var position = notifications.Count > 0 ? notifications[^1].Position : afterPosition;
        return new NotificationPage(notifications, position, more);
    }

    /// <summary>The position after the newest committed notification: reading after it gives only what comes next.</summary>
    public async Task<long> HeadAsync(CancellationToken cancellationToken = default) =>
        EntitlementNotification.PositionOf(await store.ReadLastNotifyingSequenceAsync(cancellationToken), NotificationKind.RevocationCompleted);

    public Task<long?> DecodeCursorAsync(string cursor) => cursors.DecodeNotificationAsync(cursor);

    public Task<string> EncodeCursorAsync(long position) => cursors.EncodeNotificationAsync(position);

    /// <summary>The notifications one ledger event carries: <c>entitlementUpdated</c> first, then <c>revocationCompleted</c>; either may be absent.</summary>
    public async Task<IReadOnlyList<EntitlementNotification>> ToNotificationsAsync(LedgerEvent ledgerEvent)
    {
        ArgumentNullException.ThrowIfNull(ledgerEvent);
        if (ledgerEvent.PlayerUuid is not { } player)
        {
            return [];
        }

        // A refund or chargeback that took nothing carries only its revocationCompleted.
        var list = new List<EntitlementNotification>(2);
        if (ledgerEvent.EntitlementUpdated is { } updated)
        {
            list.Add(await NotificationAsync(ledgerEvent, player, NotificationKind.EntitlementUpdated) with { EntitlementUpdated = updated });
        }

        if (ledgerEvent.RevocationCompleted is { } revoked)
        {
            list.Add(await NotificationAsync(ledgerEvent, player, NotificationKind.RevocationCompleted) with { RevocationCompleted = revoked });
        }

        return list;
    }

    private async Task<EntitlementNotification> NotificationAsync(LedgerEvent ledgerEvent, Guid player, NotificationKind kind)
    {
        var position = EntitlementNotification.PositionOf(ledgerEvent.Sequence, kind);
        return new EntitlementNotification
        {
            Position = position,
            Cursor = await cursors.EncodeNotificationAsync(position),
            EventId = ledgerEvent.EventId,
            PlayerUuid = player,
            Version = ledgerEvent.Version ?? 0,
            Kind = kind,
            RecordedAt = ledgerEvent.Created,
        };
    }
}
