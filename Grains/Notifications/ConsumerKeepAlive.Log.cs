using Microsoft.Extensions.Logging;

namespace Entitlements.Notifications;

internal sealed partial class ConsumerKeepAlive
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not wake the notification relay or a webhook; trying again at the next interval")]
    private static partial void LogWakeFailed(ILogger logger, Exception exception);
}
