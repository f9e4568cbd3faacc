using Microsoft.Extensions.Logging;

namespace Entitlements;

public sealed partial class WebhookGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {Webhook}: attempt {Attempt} for position {Position} failed ({Error}); retrying in {Delay}")]
    private static partial void LogAttemptFailed(ILogger logger, string webhook, long position, int attempt, string? error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Webhook}: position {Position} is dead letter {DeadLetterId} after {Attempts} attempts ({Error})")]
    private static partial void LogDeadLettered(ILogger logger, string webhook, long position, long deadLetterId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Webhook}: replay of dead letter {DeadLetterId} failed ({Error})")]
    private static partial void LogReplayFailed(ILogger logger, string webhook, long deadLetterId, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Webhook}: delivering after position {Position} failed; will try again")]
    private static partial void LogPumpFailed(ILogger logger, Exception exception, string webhook, long position);
}
