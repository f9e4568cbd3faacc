namespace Entitlements.Samples.GameService;

public sealed partial class NotificationFollower
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Following entitlement notifications after position {Position}")]
    private static partial void LogFollowing(ILogger logger, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification stream lost notifications after position {Position} (the next one follows {PublishedAfter}); reading them from the ledger")]
    private static partial void LogGap(ILogger logger, long position, long? publishedAfter);
}
