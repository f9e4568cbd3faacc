using Entitlements.Contracts;
using Microsoft.Extensions.Logging;

namespace Entitlements;

public sealed partial class PlayerGrain
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Player {PlayerUuid}: Xbox product {ProductId} has no XboxLive catalog entry; not consumed")]
    private static partial void LogUnmappedXboxProduct(ILogger logger, Guid playerUuid, string productId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Player {PlayerUuid}: Xbox consume failed: {Outcome} (HTTP {StatusCode})")]
    private static partial void LogXboxFailed(ILogger logger, Guid playerUuid, XboxConsumeOutcome outcome, int? statusCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Player {PlayerUuid}: Xbox consume failed after {Granted} items were granted; they are the answer, the next call consumes the rest")]
    private static partial void LogXboxInterrupted(ILogger logger, Exception exception, Guid playerUuid, int granted);

    [LoggerMessage(Level = LogLevel.Information, Message = "Player {PlayerUuid}: Xbox consume stopped after its budget of {BudgetMilliseconds} ms with {Granted} items granted; the next call consumes the rest")]
    private static partial void LogXboxDeadlineReached(ILogger logger, Guid playerUuid, double budgetMilliseconds, int granted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Player {PlayerUuid}: the Xbox consume with tracking id {TrackingId} was refused (HTTP {StatusCode}); nothing granted")]
    private static partial void LogXboxConsumeRefused(ILogger logger, Guid playerUuid, string trackingId, int? statusCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Player {PlayerUuid}: the Xbox grant {TransactionId} of {Quantity} of {Sku} would take the balance past 64 bits; recorded as not_implemented, nothing granted")]
    private static partial void LogXboxGrantRefused(ILogger logger, Guid playerUuid, string transactionId, string sku, long quantity);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Player {PlayerUuid}: test fault after the Xbox consume with tracking id {TrackingId}")]
    private static partial void LogTestFault(ILogger logger, Guid playerUuid, string trackingId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Player {PlayerUuid}: an Xbox consume waited {WaitMilliseconds} ms for the player's running one and was answered 503 without calling Xbox")]
    private static partial void LogXboxTurnNotReached(ILogger logger, Guid playerUuid, double waitMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Player {PlayerUuid}: the pending Xbox consume with tracking id {TrackingId}, started {Started:o}, could not be settled ({Reason}); it holds up every later consume of the XUID until it is")]
    private static partial void LogXboxConsumeHeldUp(ILogger logger, Guid playerUuid, string trackingId, DateTimeOffset started, string reason);
}
