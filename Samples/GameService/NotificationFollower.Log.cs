namespace Entitlements.Samples.GameService;

public sealed partial class NotificationFollower
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Following entitlement notifications after position {Position}")]
    private static partial void LogFollowing(ILogger logger, long position);
}
