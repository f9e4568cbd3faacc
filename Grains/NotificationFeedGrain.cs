using Entitlements.Notifications;
using Orleans.Concurrency;

namespace Entitlements;

/// <summary>Reads the notification feed from the ledger for consumers that resume from a cursor.</summary>
[StatelessWorker]
[Reentrant] // no state of its own: reads run side by side
public sealed class NotificationFeedGrain(NotificationFeed feed) : Grain, INotificationFeedGrain
{
    public const int MaxPage = 1000;

    public Task<NotificationPage> ReadAsync(NotificationQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return feed.ReadAsync(query.PlayerUuid, query.AfterPosition, Math.Clamp(query.Limit, 1, MaxPage));
    }

    public Task<long?> DecodeCursorAsync(string cursor) => feed.DecodeCursorAsync(cursor);

    public Task<long> HeadAsync() => feed.HeadAsync();

    public async Task<NotificationHead> HeadWithCursorAsync()
    {
        var position = await feed.HeadAsync();
        return new NotificationHead(position, await feed.EncodeCursorAsync(position));
    }
}
