using Entitlements.Webhooks;
using Orleans.Concurrency;

namespace Entitlements;

/// <summary>
/// One configured webhook, keyed by its name: delivers the notification feed to the endpoint, in
/// ledger order, from a position kept in the database, and keeps the dead letters. A name that is not
/// configured answers null, an empty page or <see cref="WebhookReplayOutcome.NotFound"/>.
/// </summary>
[Alias("Entitlements.IWebhookGrain")]
public interface IWebhookGrain : IGrainWithStringKey
{
    /// <summary>New notifications were committed: deliver them now rather than at the next poll.</summary>
    [Alias("Wake"), OneWay, AlwaysInterleave]
    Task WakeAsync();

    /// <summary>The webhook's position and dead-letter counts; null when no webhook has this name.</summary>
    [Alias("GetStatus"), AlwaysInterleave]
    Task<WebhookStatus?> GetStatusAsync();

    /// <summary>Dead letters with an id above <paramref name="afterId"/>, oldest first.</summary>
    [Alias("ListDeadLetters"), AlwaysInterleave]
    Task<WebhookDeadLetterPage> ListDeadLettersAsync(long afterId, int limit);

    /// <summary>Send a dead letter's notification once more, now, and mark it replayed when delivered.</summary>
    [Alias("Replay"), AlwaysInterleave]
    Task<WebhookReplayResult> ReplayAsync(long deadLetterId);
}
