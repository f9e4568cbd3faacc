using Entitlements.Diagnostics;
using Entitlements.Webhooks;
using Microsoft.Extensions.Logging;

namespace Entitlements;

public sealed partial class WebhookGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {Webhook}: attempt {Attempt} for position {Position} failed ({Error}); retrying in {Delay}")]
    private static partial void LogAttemptFailed(ILogger logger, string webhook, long position, int attempt, string? error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Webhook}: attempt {Attempt} for position {Position} failed ({Error}: {Failure}); retrying in {Delay}")]
    private static partial void LogAttemptFailedWith(ILogger logger, string webhook, long position, int attempt, string? error, string failure, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {Webhook}: attempt {Attempt} for position {Position} failed")]
    private static partial void LogAttemptException(ILogger logger, Exception exception, string webhook, long position, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Webhook}: position {Position} is dead letter {DeadLetterId} after {Attempts} attempts ({Error})")]
    private static partial void LogDeadLettered(ILogger logger, string webhook, long position, long deadLetterId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Webhook}: replay of dead letter {DeadLetterId} failed ({Error})")]
    private static partial void LogReplayFailed(ILogger logger, string webhook, long deadLetterId, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Webhook}: delivering after position {Position} failed; will try again")]
    private static partial void LogPumpFailed(ILogger logger, Exception exception, string webhook, long position);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {Webhook}: reading the ledger's head for the backlog gauge failed")]
    private static partial void LogHeadReadFailed(ILogger logger, Exception exception, string webhook);

    /// <summary>The exception of a failed attempt, with its stack trace, at Debug only: the Warning has <see cref="ExceptionLine.Of"/>.</summary>
    private void LogFailure(WebhookEndpointOptions webhook, long position, int attempt, WebhookAttempt result)
    {
        if (result.Failure is { } failure)
        {
            LogAttemptException(logger, failure, webhook.Name, position, attempt);
        }
    }
}
