using Entitlements.Notifications;
using Entitlements.Storage;
using Entitlements.Webhooks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Entitlements;

/// <summary>
/// Delivers the notification feed to one webhook, one notification at a time, in ledger order, from a
/// position kept in the database (consumer <c>webhook:&lt;name&gt;</c>). Each notification is retried
/// with backoff until it is delivered or becomes a dead letter; the position is stored after each one,
/// so a crash resends at most the notification in flight (at least once). A dead letter is the only
/// way a later notification of a player can reach the endpoint before an earlier one. Woken by the
/// stream relay after each batch it publishes; a timer polls too, in case a wake was lost.
/// </summary>
public sealed partial class WebhookGrain(
    NotificationFeed feed,
    ILedgerStore store,
    WebhookSender sender,
    IOptions<WebhookOptions> webhooks,
    IOptions<NotificationOptions> notifications,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<WebhookGrain> logger) : Grain, IWebhookGrain, IDisposable
{
    // Deactivation waits for the running pump, and the silo's shutdown for deactivation: an attempt in
    // flight or a backoff wait must end as soon as the host stops, not after minutes of retries.
    private readonly CancellationTokenSource _stopping = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
    private WebhookEndpointOptions? _webhook;
    private long _position;
    private bool _pumping;
    private bool _pending;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _webhook = webhooks.Value.Find(this.GetPrimaryKeyString());
        if (_webhook is null)
        {
            return;
        }

        if (await store.FindConsumerPositionAsync(_webhook.ConsumerName, cancellationToken) is { } stored)
        {
            _position = stored;
        }
        else
        {
            // A new webhook: store where it starts, so that a restart never moves the start again.
            _position = _webhook.StartFrom == WebhookStart.Now ? await feed.HeadAsync(cancellationToken) : 0;
            await store.WriteConsumerPositionAsync(_webhook.ConsumerName, _position, cancellationToken);
        }

        var poll = notifications.Value.PollInterval > TimeSpan.Zero ? notifications.Value.PollInterval : TimeSpan.FromSeconds(1);
        this.RegisterGrainTimer(_ => PumpAsync(), new GrainTimerCreationOptions(poll, poll) { Interleave = true, KeepAlive = true });
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Whatever still runs ends now; the stored position says where the next activation starts.
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    public void Dispose() => _stopping.Dispose();

    public Task WakeAsync() => PumpAsync();

    public async Task<WebhookStatus?> GetStatusAsync()
    {
        if (_webhook is not { } webhook)
        {
            return null;
        }

        var (total, pending) = await store.CountDeadLettersAsync(webhook.Name);
        var url = new Uri(webhook.Url, UriKind.Absolute);
        return new WebhookStatus
        {
            Name = webhook.Name,
            Endpoint = url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped),
            Position = _position,
            DeadLetters = total,
            PendingDeadLetters = pending,
        };
    }

    public async Task<WebhookDeadLetterPage> ListDeadLettersAsync(long afterId, int limit)
    {
        if (_webhook is not { } webhook)
        {
            return new WebhookDeadLetterPage([], false);
        }

        var size = Math.Clamp(limit, 1, WebhookDeadLetterPage.MaxLimit);
        var letters = await store.ReadDeadLettersAsync(webhook.Name, Math.Max(0, afterId), size + 1);
        return letters.Count > size ? new WebhookDeadLetterPage([.. letters.Take(size)], true) : new WebhookDeadLetterPage(letters, false);
    }

    public async Task<WebhookReplayResult> ReplayAsync(long deadLetterId)
    {
        if (_webhook is not { } webhook || await store.ReadDeadLetterAsync(webhook.Name, deadLetterId) is not { } letter)
        {
            return new WebhookReplayResult { Outcome = WebhookReplayOutcome.NotFound };
        }

        // The message is the ledger's, at the dead letter's position: the replay re-sends the original.
        var page = await feed.ReadAsync(null, letter.Position - 1, 1);
        if (page.Notifications is not [var notification] || notification.Position != letter.Position)
        {
            return new WebhookReplayResult { Outcome = WebhookReplayOutcome.NotFound };
        }

        var attempt = await sender.SendAsync(webhook, notification, letter.Attempts + 1, _stopping.Token);
        if (!attempt.Delivered)
        {
            LogReplayFailed(logger, webhook.Name, letter.Id, attempt.Error);
            return new WebhookReplayResult { Outcome = WebhookReplayOutcome.Failed, StatusCode = attempt.StatusCode, Error = attempt.Error, DeadLetter = letter };
        }

        var replayed = await store.MarkDeadLetterReplayedAsync(webhook.Name, letter.Id, time.GetUtcNow()) ?? letter;
        return new WebhookReplayResult { Outcome = WebhookReplayOutcome.Delivered, StatusCode = attempt.StatusCode, DeadLetter = replayed };
    }

    /// <summary>Deliver until caught up. A wake that arrives meanwhile makes the running pump read once more.</summary>
    private async Task PumpAsync()
    {
        if (_webhook is not { } webhook)
        {
            return;
        }

        if (_pumping)
        {
            _pending = true;
            return;
        }

        _pumping = true;
        try
        {
            do
            {
                _pending = false;
                NotificationPage page;
                do
                {
                    page = await feed.ReadAsync(null, _position, Math.Max(1, notifications.Value.BatchSize), _stopping.Token);
                    foreach (var notification in page.Notifications)
                    {
                        await DeliverAsync(webhook, notification);
                        _position = notification.Position;
                        await store.WriteConsumerPositionAsync(webhook.ConsumerName, _position, _stopping.Token);
                    }
                }
                while (page.More);
            }
            while (_pending);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Deactivating: the next activation resumes from the stored position.
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Nothing past the stored position is lost: the next wake or poll delivers it again.
            LogPumpFailed(logger, exception, webhook.Name, _position);
        }
        finally
        {
            _pumping = false;
        }
    }

    /// <summary>Send one notification until it is delivered, fails for good, or has used every attempt; then it is a dead letter.</summary>
    private async Task DeliverAsync(WebhookEndpointOptions webhook, EntitlementNotification notification)
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = await sender.SendAsync(webhook, notification, attempt, _stopping.Token);
            if (result.Delivered)
            {
                return;
            }

            if (!result.Retryable || attempt >= webhook.MaxAttempts)
            {
                var letter = await store.WriteDeadLetterAsync(new WebhookDeadLetter
                {
                    Id = 0,
                    Webhook = webhook.Name,
                    Position = notification.Position,
                    EventId = notification.EventId,
                    PlayerUuid = notification.PlayerUuid,
                    Kind = notification.Kind,
                    Attempts = attempt,
                    LastError = result.Error,
                    Failed = time.GetUtcNow(),
                }, _stopping.Token);
                LogDeadLettered(logger, webhook.Name, notification.Position, letter.Id, attempt, result.Error);
                return;
            }

            var delay = WebhookBackoff.Delay(webhook, attempt, result.RetryAfter, Random.Shared);
            LogAttemptFailed(logger, webhook.Name, notification.Position, attempt, result.Error, delay);
            await Task.Delay(delay, time, _stopping.Token);
        }
    }
}
