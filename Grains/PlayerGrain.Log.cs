using Microsoft.Extensions.Logging;

namespace Entitlements;

public sealed partial class PlayerGrain
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Player {PlayerUuid}: version {Version} was taken by another writer; reloading")]
    private static partial void LogVersionConflict(ILogger logger, Guid playerUuid, long version);
}
