using Microsoft.Extensions.Logging;

namespace Entitlements.Storage;

public sealed partial class PostgresLedgerStore
{
    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL ledger schema migrated to version {Version}")]
    private static partial void LogMigrated(ILogger logger, int version);
}
