using Microsoft.Extensions.Logging;

namespace Entitlements.Hosting;

internal sealed partial class EmbeddedSiloLock
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "The store is unreachable at start (attempt {Attempts}); retrying in {Seconds} s, to take the silos' lock: {Error}")]
    private static partial void LogUnreachable(ILogger logger, int attempts, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Another process holds the silos' lock {Key} on this database the other way (an embedded silo and a cluster's silos); waiting up to {Seconds} s for it to be released")]
    private static partial void LogWaiting(ILogger logger, long key, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "The connection holding the silos' lock {Key} was lost, and the lock with it ({Error}); taking it again when the database answers")]
    private static partial void LogLost(ILogger logger, long key, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "The silos' lock {Key} is held again")]
    private static partial void LogRetaken(ILogger logger, long key);

    [LoggerMessage(Level = LogLevel.Critical, Message = "An embedded-mode process took the silos' lock {Key} while this cluster silo's connection was lost: it runs as a second cluster on this database; stop it. This silo serves on and takes its share again once it is gone")]
    private static partial void LogSharedTakenByAnother(ILogger logger, long key);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Another process took the silos' lock {Key} the other way while this silo's connection was lost: two clusters would run on one database, so this one stops")]
    private static partial void LogTakenByAnother(ILogger logger, long key);
}
