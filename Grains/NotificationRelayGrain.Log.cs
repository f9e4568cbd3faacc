using Microsoft.Extensions.Logging;

namespace Entitlements;

public sealed partial class NotificationRelayGrain
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing notifications after position {Position} failed; will try again")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, long position);
}
