namespace Entitlements.Gateway.Apis;

public static partial class PlayFabClientApi
{
    /// <summary>Expected while the cluster or its storage is down: one line per request, without the stack trace (<see cref="LogUnavailableException"/>).</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "PlayFab request {Path} answered ServiceUnavailable (503): the cluster or its storage is unavailable ({Failure})")]
    private static partial void LogUnavailable(ILogger logger, PathString path, string failure);

    [LoggerMessage(Level = LogLevel.Debug, Message = "PlayFab request {Path} answered ServiceUnavailable (503): the exception")]
    private static partial void LogUnavailableException(ILogger logger, Exception exception, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "PlayFab request {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, PathString path);
}
