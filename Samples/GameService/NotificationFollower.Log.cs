namespace Entitlements.Samples.GameService;

public sealed partial class NotificationFollower
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Following entitlement notifications after position {Position}")]
    private static partial void LogFollowing(ILogger logger, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification stream lost notifications after position {Position} (the next one follows {PublishedAfter}); reading them from the ledger")]
    private static partial void LogGap(ILogger logger, long position, long? publishedAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification stream failed this service's subscription; subscribing again at the next check")]
    private static partial void LogStreamFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification stream no longer holds this service's subscription, or failed it; subscribing again and reading from the ledger after position {Position}")]
    private static partial void LogSubscribingAgain(ILogger logger, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check the notification stream subscription; trying again at the next check")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the notifications after position {Position} from the ledger; trying again")]
    private static partial void LogCatchUpFailed(ILogger logger, Exception exception, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not unsubscribe from the notification stream while stopping; the stream drops a subscription whose client it cannot reach")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception);
}
