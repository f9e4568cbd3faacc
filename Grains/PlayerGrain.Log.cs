using Microsoft.Extensions.Logging;

namespace Entitlements;

public sealed partial class PlayerGrain
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Player {PlayerUuid}: version {Version} was taken by another writer; reloading")]
    private static partial void LogVersionConflict(ILogger logger, Guid playerUuid, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Player {PlayerUuid}: the append of version {Version} failed with an unknown outcome; the state is reloaded on the next call")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, Guid playerUuid, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Player {PlayerUuid}: the snapshot at version {Version} could not be written; the next append tries again")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception exception, Guid playerUuid, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Player {PlayerUuid}: the ledger could not be read")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, Guid playerUuid);
}
