using Microsoft.Extensions.Logging;

namespace Entitlements.Catalog;

public sealed partial class CatalogSeeder
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Catalog seed file {Path}: {Count} entries, {Inserted} new")]
    private static partial void LogSeeded(ILogger logger, string path, int count, int inserted);
}
