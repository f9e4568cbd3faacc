using Microsoft.Extensions.Logging;

namespace Entitlements.Storage;

internal sealed partial class ScheduledBackups
{
    [LoggerMessage(Level = LogLevel.Information, Message = "A scheduled backup was due while another backup ran; the next comes at the next interval")]
    private static partial void LogBusy(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "A scheduled backup of the SQLite database failed; nothing was written; the next comes in {Interval}")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan interval);
}
