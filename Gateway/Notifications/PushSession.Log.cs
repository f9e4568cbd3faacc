namespace Entitlements.Gateway.Notifications;

public sealed partial class PushSession
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Push connection for player {Player} (none: all players) ended by the server ({Kind}): {Reason}")]
    private static partial void LogDisconnected(ILogger logger, Guid? player, PushDisconnectKind kind, string reason);

    /// <summary>Expected while the cluster or its storage is down: one line per connection, without the stack trace (<see cref="LogUnavailableException"/>).</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "Push connection for player {Player} (none: all players) ended: the cluster or its storage is unavailable ({Failure})")]
    private static partial void LogUnavailable(ILogger logger, Guid? player, string failure);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Push connection for player {Player} (none: all players) ended: the exception")]
    private static partial void LogUnavailableException(ILogger logger, Exception exception, Guid? player);

    [LoggerMessage(Level = LogLevel.Error, Message = "Push connection for player {Player} (none: all players) failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid? player);
}
