namespace Entitlements.Gateway.Notifications;

public sealed partial class PushSession
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Push connection for player {Player} (none: all players) ended by the server ({Kind}): {Reason}")]
    private static partial void LogDisconnected(ILogger logger, Guid? player, PushDisconnectKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Push connection for player {Player} (none: all players) failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid? player);
}
