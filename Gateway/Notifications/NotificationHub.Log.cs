namespace Entitlements.Gateway.Notifications;

public sealed partial class NotificationHub
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Push connection for player {Player} (none: all players) overflowed: more than {Capacity} notifications pending; disconnecting it as a slow consumer")]
    private static partial void LogOverflow(ILogger logger, Guid? player, int capacity);
}
