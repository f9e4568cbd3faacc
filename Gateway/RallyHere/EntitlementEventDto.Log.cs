namespace Entitlements.Gateway.RallyHere;

/// <summary>The logging of <see cref="EntitlementEventDto"/> (the logging generator takes classes, not records).</summary>
internal static partial class EntitlementEventDtoLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Entitlement event {EventId}: its stored platform_data is not a JSON object an answer can carry (or holds an integer too long for Python to read); answered as null")]
    public static partial void LogUnreadablePlatformData(ILogger logger, string eventId);
}
