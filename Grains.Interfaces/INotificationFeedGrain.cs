using Entitlements.Notifications;

namespace Entitlements;

/// <summary>
/// The notification feed read from the ledger, for consumers that resume: everything after a position,
/// for one player or for all. Cursors are opaque and signed. A stateless worker: use key 0.
/// </summary>
[Alias("Entitlements.INotificationFeedGrain")]
public interface INotificationFeedGrain : IGrainWithIntegerKey
{
    [Alias("Read")]
    Task<NotificationPage> ReadAsync(NotificationQuery query);

    /// <summary>The position a cursor names; null when it is not a notification cursor of this system.</summary>
    [Alias("DecodeCursor")]
    Task<long?> DecodeCursorAsync(string cursor);

    /// <summary>The position of the newest committed notification (0 when there is none).</summary>
    [Alias("Head")]
    Task<long> HeadAsync();

    /// <summary><see cref="HeadAsync"/> with the cursor that resumes there.</summary>
    [Alias("HeadWithCursor")]
    Task<NotificationHead> HeadWithCursorAsync();
}
