using Microsoft.Extensions.Logging;

namespace Entitlements.Xbox;

public sealed partial class XboxCollectionsClient
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Xbox collections {Path}: attempt {Attempt} failed (HTTP {Status}): {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, string path, int attempt, string status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Xbox collections query: item {Index} of the page skipped, not consumed: {Problem}")]
    private static partial void LogMalformedItem(ILogger logger, int index, string problem);
}
