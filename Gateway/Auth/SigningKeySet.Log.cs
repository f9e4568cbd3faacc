namespace Entitlements.Gateway.Auth;

public sealed partial class SigningKeySet
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the signing key set")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
