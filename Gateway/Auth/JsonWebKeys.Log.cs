namespace Entitlements.Gateway.Auth;

public static partial class JsonWebKeys
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Signing key passed over: the key at index {Index} of {Source} (kid {KeyId}) {Reason}. A token naming it is not verified with it")]
    private static partial void LogKeyPassedOver(ILogger logger, int index, string source, string keyId, string reason);
}
