using Microsoft.Extensions.Logging;

namespace Entitlements.Storage;

public sealed partial class SqliteLedgerStore
{
    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite ledger schema migrated to version {Version}")]
    private static partial void LogMigrated(ILogger logger, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Copied the SQLite database to {Path} before migrating its schema from version {Version}")]
    private static partial void LogCopiedBeforeUpgrade(ILogger logger, string path, long version);
}
