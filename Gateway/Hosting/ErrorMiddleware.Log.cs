namespace Entitlements.Gateway.Hosting;

public sealed partial class ErrorMiddleware
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {Path} answered 503: the cluster, its storage or the signing keys are unavailable ({Failure})")]
    private static partial void LogUnavailable(ILogger logger, PathString path, string failure);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Request {Path} answered 503: the exception")]
    private static partial void LogUnavailableException(ILogger logger, Exception exception, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, PathString path);
}
