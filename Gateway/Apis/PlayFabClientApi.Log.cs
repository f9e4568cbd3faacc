namespace Entitlements.Gateway.Apis;

public static partial class PlayFabClientApi
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "PlayFab request {Path} failed: the cluster or its storage is unavailable")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "PlayFab request {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, PathString path);
}
