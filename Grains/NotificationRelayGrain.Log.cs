using Entitlements.Notifications;
using Microsoft.Extensions.Logging;

namespace Entitlements;

public sealed partial class NotificationRelayGrain
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing notifications after position {Position} failed; will try again")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, long position);

    [LoggerMessage(
        Level = LogLevel.Information,
        Message = "The relay has published on {Streams} players' streams; it stored position {Position} and hands over to a fresh activation, which frees them")]
    private static partial void LogHandingOver(ILogger logger, long streams, long position);

    [LoggerMessage(
        Level = LogLevel.Error,
        Message = "The {Kind} notification of event {EventId} takes {Size} bytes, more than one stream message holds; the streams drop it, and only the ledger (the feed, the all-players stream's gap) has it")]
    private static partial void LogNotificationTooLarge(ILogger logger, string eventId, NotificationKind kind, int size);
}
