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
    /// <summary>
    /// The response timeout of <see cref="ReplayAsync"/>, which waits for the endpoint's answer: its own, not
    /// <c>Orleans:Messaging:ResponseTimeout</c>, so that a webhook's <c>Timeout</c> (checked against it at start) never
    /// turns a replay into a 503 while the send goes on.
    /// </summary>
    public const string ReplayResponseTimeout = "00:01:00";

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
    [ResponseTimeout(ReplayResponseTimeout)]
    Task<WebhookReplayResult> ReplayAsync(long deadLetterId);
}
