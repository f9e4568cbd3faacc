using Microsoft.Extensions.Logging;

namespace Entitlements.Storage;

public static partial class OrleansSchema
{
    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL Orleans schema migrated to version {Version}")]
    private static partial void LogMigrated(ILogger logger, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is not reachable yet ({Reason}); retrying the Orleans schema migration")]
    private static partial void LogWaiting(ILogger logger, string reason);
}
