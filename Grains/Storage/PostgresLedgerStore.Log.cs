using Microsoft.Extensions.Logging;

namespace Entitlements.Storage;

public sealed partial class PostgresLedgerStore
{
    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL ledger schema migrated to version {Version}")]
    private static partial void LogMigrated(ILogger logger, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} ledger appends failed uncommitted ({Reason}); committing them one by one")]
    private static partial void LogBatchIsolated(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A ledger read met a connection PostgreSQL had closed (it restarted?); running it again on a fresh connection")]
    private static partial void LogRunAgain(ILogger logger, Exception exception);
}
