using Microsoft.Extensions.Logging;

namespace Entitlements.Catalog;

public sealed partial class CatalogSeeder
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Catalog seed file {Path}: {Count} entries, {Inserted} new")]
    private static partial void LogSeeded(ILogger logger, string path, int count, int inserted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The store is unreachable at start (attempt {Attempt}); retrying in {Seconds} s")]
    private static partial void LogStoreUnreachable(ILogger logger, Exception exception, int attempt, double seconds);
}
