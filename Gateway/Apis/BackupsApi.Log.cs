namespace Entitlements.Gateway.Apis;

public static partial class BackupsApi
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "A backup of the SQLite database failed; nothing was written.")]
    private static partial void LogBackupFailed(ILogger logger, Exception exception);
}
