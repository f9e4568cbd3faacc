namespace Entitlements.Gateway.Xbox;

public sealed partial class XstsTokenValidator
{
    [LoggerMessage(Level = LogLevel.Error, Message = "The Xbox key files (Xbox:RelyingPartyKeyFile, Xbox:SigningKeysFile) could not be read; Xbox logins are refused")]
    private static partial void LogKeysUnreadable(ILogger logger, Exception exception);
}
