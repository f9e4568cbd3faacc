using Microsoft.Extensions.Logging;

namespace Entitlements.Hosting;

internal sealed partial class EmbeddedSiloLock
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "The store is unreachable at start (attempt {Attempts}); retrying in {Seconds} s, to take the embedded silo's lock: {Error}")]
    private static partial void LogUnreachable(ILogger logger, int attempts, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Another process holds the embedded-mode lock {Key} on this database; waiting up to {Seconds} s for it to be released")]
    private static partial void LogWaiting(ILogger logger, long key, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "The connection holding the embedded-mode lock {Key} was lost, and the lock with it ({Error}); taking it again when the database answers")]
    private static partial void LogLost(ILogger logger, long key, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "The embedded-mode lock {Key} is held again")]
    private static partial void LogRetaken(ILogger logger, long key);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Another process took the embedded-mode lock {Key} while this silo's connection was lost: two embedded silos would run on one database, so this one stops")]
    private static partial void LogTakenByAnother(ILogger logger, long key);
}
