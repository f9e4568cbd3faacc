using Microsoft.Extensions.Logging;

namespace Entitlements.Storage;

internal sealed partial class StoreFailureCallFilter
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "{Interface}.{Method} failed in the ledger store")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string @interface, string method);
}
