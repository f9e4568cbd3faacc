namespace Entitlements.Gateway.Notifications;

public sealed partial class NotificationHubSubscription
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribed to every player's notifications")]
    private static partial void LogSubscribed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to the notification stream; trying again")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification stream subscription failed; open push connections are ended and the gateway subscribes again")]
    private static partial void LogStreamFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not unsubscribe from the notification stream while stopping")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification stream dropped this gateway's subscription; open push connections are ended and the gateway subscribes again")]
    private static partial void LogSubscriptionDropped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not check the notification stream subscription")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification stream lost notifications: this gateway had them through position {HandledThrough}, and the next one follows position {PublishedAfter}. Open push connections are ended; they resume from the ledger")]
    private static partial void LogStreamGap(ILogger logger, long handledThrough, long? publishedAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask the relay for its position; asking again. Until it answers, the first notification ends open push connections, which resume from the ledger")]
    private static partial void LogRelayPositionFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The relay told this gateway its position; push connections opened while it could not are ended and resume from the ledger")]
    private static partial void LogRelayPositionKnown(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "A notification (position {Position}) came before the relay told this gateway its position; open push connections are ended and resume from the ledger")]
    private static partial void LogNotificationBeforeRelayPosition(ILogger logger, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification stream completed this gateway's subscription; open push connections are ended and the gateway subscribes again")]
    private static partial void LogStreamCompleted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed an earlier subscription {HandleId} to the notification stream that was still delivering to this gateway")]
    private static partial void LogStaleSubscriptionRemoved(ILogger logger, Guid handleId);
}
