using Microsoft.Extensions.Logging;

namespace Entitlements.Storage;

public sealed partial class LedgerBackups
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Backed up the SQLite database to {Path}: {Bytes} bytes, ledger up to sequence {LastSequence}, in {Milliseconds} ms")]
    private static partial void LogTaken(ILogger logger, string path, long bytes, long lastSequence, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the old backup {Path} (Storage:BackupsKept)")]
    private static partial void LogRemoved(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove old backups from {Directory}; a later backup tries again")]
    private static partial void LogRemoveFailed(ILogger logger, Exception exception, string directory);
}
