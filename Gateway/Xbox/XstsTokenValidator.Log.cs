namespace Entitlements.Gateway.Xbox;

public sealed partial class XstsTokenValidator
{
    [LoggerMessage(Level = LogLevel.Error, Message = "The Xbox key files (Xbox:RelyingPartyKeyFile, Xbox:SigningKeysFile) could not be read (keys from an earlier read still in use: {KeptEarlierKeys}); without keys Xbox logins are refused")]
    private static partial void LogKeysUnreadable(ILogger logger, Exception exception, bool keptEarlierKeys);

    [LoggerMessage(Level = LogLevel.Information, Message = "The Xbox key files changed and were read again: {SigningKeys} XSTS signing keys")]
    private static partial void LogKeysReloaded(ILogger logger, int signingKeys);
}
