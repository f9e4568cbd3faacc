namespace Entitlements.Gateway.OpenApi;

public sealed partial class ApiDocument
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Built the OpenAPI document {DocumentName} ({Bytes} bytes) in {ElapsedMs} ms; served from memory from now on")]
    private static partial void LogBuilt(ILogger logger, string documentName, int bytes, double elapsedMs);
}
