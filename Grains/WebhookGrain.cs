using Entitlements.Diagnostics;
using Entitlements.Notifications;
using Entitlements.Storage;
using Entitlements.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Entitlements;

/// <summary>
/// Delivers the notification feed to one webhook, one notification at a time, in ledger order, from a
/// position kept in the database (consumer <c>webhook:&lt;name&gt;</c>). Each notification is retried
/// with backoff until it is delivered or becomes a dead letter. The position is stored at most once per
/// <see cref="NotificationOptions.PositionWriteInterval"/>, and always with a dead letter (in the same
/// transaction), before a backoff wait, and when the grain deactivates; once a write is due, nothing more is sent until it is
/// done, so a crash resends at most one interval's notifications and the one in flight (at least once). A dead letter is the only
/// way a later notification of a player can reach the endpoint before an earlier one. Woken by the
/// stream relay after each batch it publishes; a timer polls too, in case a wake was lost. The pump
/// runs on the activation but outside any request: retries can take minutes, and neither a wake, nor a
/// status call, nor deactivation waits for them.
/// </summary>
public sealed partial class WebhookGrain(
    NotificationFeed feed,
    ILedgerStore store,
    WebhookSender sender,
    GrainMetrics metrics,
    IOptions<WebhookOptions> webhooks,
    IOptions<NotificationOptions> notifications,
    TimeProvider time,
    ILogger<WebhookGrain> logger) : Grain, IWebhookGrain, IDisposable
{
    /// <summary>The most notifications one read delivers (<see cref="NotificationOptions.BatchSize"/>), so that the read of one more stays within an int.</summary>
    private const int MaxBatchSize = int.MaxValue - 8;

    private readonly CancellationTokenSource _stopping = new();
    private WebhookEndpointOptions? _webhook;
    private Task _pump = Task.CompletedTask;
    private long _position;
    private long _storedPosition;
    private long _storedAt;
    private InFlight? _inFlight;
    private WebhookProgress? _progress;
    private bool _pumping;
    private bool _pending;
    private readonly Dictionary<long, Task<WebhookReplayResult>> _replays = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _webhook = webhooks.Value.Find(this.GetPrimaryKeyString());
        if (_webhook is null)
        {
            return;
        }

        // A store failure here fails the calls waiting for this activation: as a failure a caller in another process can read.
        await StoreFailureCallFilter.ActivatingAsync(() => LoadPositionAsync(_webhook, cancellationToken));
        _storedAt = time.GetTimestamp();
        _progress = metrics.TrackWebhook(_webhook.Name, _position);

        var poll = notifications.Value.PollInterval > TimeSpan.Zero ? notifications.Value.PollInterval : TimeSpan.FromSeconds(1);
        this.RegisterGrainTimer(_ => PollAsync(), new GrainTimerCreationOptions(poll, poll) { Interleave = true, KeepAlive = true });
    }

    /// <summary>
    /// The poll: wake the pump; and while it is delivering (it may be retrying one notification for minutes), read
    /// the ledger's head, one indexed row, so that the backlog gauge sees what was committed meanwhile.
    /// </summary>
    private async Task PollAsync()
    {
        if (_pumping && _progress is { } progress)
        {
            try
            {
                progress.SeenHead(EntitlementNotification.SequenceOf(await feed.HeadAsync(_stopping.Token)));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The gauge keeps the head it had; the pump reports store failures that matter.
                LogHeadReadFailed(logger, exception, _webhook!.Name);
            }
        }

        await Wake();
    }

    private async Task LoadPositionAsync(WebhookEndpointOptions webhook, CancellationToken cancellationToken)
    {
        if (await store.FindConsumerPositionAsync(webhook.ConsumerName, cancellationToken) is { } stored)
        {
            _position = _storedPosition = stored;
        }
        else
        {
            // A new webhook: store where it starts, so that a restart never moves the start again.
            _position = webhook.StartFrom == WebhookStart.Now ? await feed.HeadAsync(cancellationToken) : 0;
            await store.WriteConsumerPositionAsync(webhook.ConsumerName, _position, cancellationToken);
            _storedPosition = _position;
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // An attempt in flight or a backoff wait ends now; what was delivered is stored, and the next activation starts there.
        await _stopping.CancelAsync();
        await _pump;

        // This silo's gauges stop reporting the webhook: the next activation, here or on another silo, reports it.
        _progress?.Dispose();
        if (_webhook is { } webhook && _position > _storedPosition)
        {
            try
            {
                await StorePositionAsync(webhook, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The next activation sends again from the older stored position: at least once still holds.
                LogPumpFailed(logger, exception, webhook.Name, _position);
            }
        }
    }

    public void Dispose()
    {
        _progress?.Dispose();
        _stopping.Dispose();
    }

    public Task WakeAsync() => Wake();

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
            Position = _storedPosition,
            DeliveredPosition = _position,
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

    /// <summary>
    /// A replay asked for while the same dead letter's replay runs (an operator's retry after a timeout, two
    /// operators) joins it and gets its answer: one send, one attempt recorded, not two racing ones.
    /// </summary>
    public async Task<WebhookReplayResult> ReplayAsync(long deadLetterId)
    {
        if (_replays.TryGetValue(deadLetterId, out var running))
        {
            return await running;
        }

        var replay = ReplayOnceAsync(deadLetterId);
        _replays[deadLetterId] = replay;
        try
        {
            return await replay;
        }
        finally
        {
            _replays.Remove(deadLetterId);
        }
    }

    private async Task<WebhookReplayResult> ReplayOnceAsync(long deadLetterId)
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
            // The attempt is recorded on the dead letter, so that the operator sees that a replay was tried and why it failed.
            LogReplayFailed(logger, webhook.Name, letter.Id, attempt.Error);
            LogFailure(webhook, notification.Position, letter.Attempts + 1, attempt);
            var failed = await store.RecordDeadLetterReplayFailureAsync(webhook.Name, letter.Id, attempt.Error, time.GetUtcNow()) ?? letter;
            return new WebhookReplayResult { Outcome = WebhookReplayOutcome.Failed, StatusCode = attempt.StatusCode, Error = attempt.Error, DeadLetter = failed };
        }

        var replayed = await store.MarkDeadLetterReplayedAsync(webhook.Name, letter.Id, time.GetUtcNow()) ?? letter;
        return new WebhookReplayResult { Outcome = WebhookReplayOutcome.Delivered, StatusCode = attempt.StatusCode, DeadLetter = replayed };
    }

    /// <summary>Start the pump unless it runs; if it does, it reads once more before it stops.</summary>
    private Task Wake()
    {
        if (_webhook is null || _stopping.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }

        if (_pumping)
        {
            _pending = true;
            return Task.CompletedTask;
        }

        _pumping = true;
        _pump = PumpAsync(_webhook);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Deliver until caught up. Never throws: a failure is logged and the next wake or poll tries again. A position
    /// held back past <see cref="NotificationOptions.PositionWriteInterval"/> (its write failed, say) is written
    /// first, with nothing sent until it is; when caught up, the position held back is stored by a later pump (the
    /// poll's at the latest) or at deactivation.
    /// </summary>
    private async Task PumpAsync(WebhookEndpointOptions webhook)
    {
        DetachedWork.Detach();
        try
        {
            do
            {
                _pending = false;
                bool more;
                do
                {
                    await StorePositionIfDueAsync(webhook);

                    // One more than the batch is read and left for the next read: the notification after the batch is then
                    // known, and the gauge reports its age as the oldest undelivered one, also while the next read fails.
                    var batch = Math.Clamp(notifications.Value.BatchSize, 1, MaxBatchSize);
                    var page = await feed.ReadAsync(null, _position, batch + 1, _stopping.Token);
                    var read = page.Notifications;
                    var count = Math.Min(batch, read.Count);
                    for (var i = 0; i < count; i++)
                    {
                        var deadLettered = await DeliverAsync(webhook, read[i]);
                        _position = read[i].Position;
                        _progress?.Delivered(_position, i + 1 < read.Count ? read[i + 1] : null);
                        if (!deadLettered)
                        {
                            await StorePositionIfDueAsync(webhook);
                        }
                    }

                    more = page.More || read.Count > count;
                }
                while (more);
            }
            while (_pending);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Deactivating: the next activation resumes from the stored position.
        }
        catch (Exception exception)
        {
            // Nothing past the stored position is lost: the next wake or poll delivers it again.
            LogPumpFailed(logger, exception, webhook.Name, _position);
        }
        finally
        {
            _pumping = false;
        }
    }

    private async Task StorePositionIfDueAsync(WebhookEndpointOptions webhook)
    {
        if (_position > _storedPosition && time.GetElapsedTime(_storedAt) >= notifications.Value.PositionWriteInterval)
        {
            await StorePositionAsync(webhook, _stopping.Token);
        }
    }

    private async Task StorePositionAsync(WebhookEndpointOptions webhook, CancellationToken cancellationToken)
    {
        var position = _position;
        await store.WriteConsumerPositionAsync(webhook.ConsumerName, position, cancellationToken);
        (_storedPosition, _storedAt) = (position, time.GetTimestamp());
    }

    /// <summary>
    /// Send one notification until it is delivered, fails for good, or has used every attempt; then it is a dead letter.
    /// The attempts made so far are kept for the notification in flight: when the pump ends early (the dead letter could
    /// not be written, say), the next one carries on the count, and once the notification is a dead letter it only
    /// writes it again, sending nothing more. True when it became a dead letter.
    /// </summary>
    private async Task<bool> DeliverAsync(WebhookEndpointOptions webhook, EntitlementNotification notification)
    {
        var inFlight = _inFlight is { } kept && kept.Position == notification.Position ? kept : new InFlight(notification.Position, 0, null);
        _progress?.Delivering(notification.Position, notification.RecordedAt);
        while (inFlight.DeadLetter is null)
        {
            var attempt = inFlight.Attempts + 1;
            var result = await sender.SendAsync(webhook, notification, attempt, _stopping.Token);
            if (result.Delivered)
            {
                _inFlight = null;
                return false;
            }

            LogFailure(webhook, notification.Position, attempt, result);

            if (!result.Retryable || attempt >= webhook.MaxAttempts)
            {
                inFlight = _inFlight = inFlight with
                {
                    Attempts = attempt,
                    DeadLetter = new WebhookDeadLetter
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
                    },
                };
                break;
            }

            inFlight = _inFlight = inFlight with { Attempts = attempt };
            var delay = WebhookBackoff.Delay(webhook, attempt, result.RetryAfter, Random.Shared);
            if (result.Failure is { } failure)
            {
                LogAttemptFailedWith(logger, webhook.Name, notification.Position, attempt, result.Error, ExceptionLine.Of(failure), delay);
            }
            else
            {
                LogAttemptFailed(logger, webhook.Name, notification.Position, attempt, result.Error, delay);
            }

            // The wait may be long: what was delivered before it is stored first, so that a crash meanwhile does not
            // send it again. A write that fails is left owed (the next one due writes it); the retry goes on.
            if (_position > _storedPosition)
            {
                try
                {
                    await StorePositionAsync(webhook, _stopping.Token);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogPumpFailed(logger, exception, webhook.Name, _position);
                }
            }

            await Task.Delay(delay, time, _stopping.Token);
        }

        // The position past it in the same write: a crash cannot leave it stored as a dead letter and still to send,
        // which the next activation would send again, every attempt, and write again.
        var letter = await store.WriteDeadLetterAsync(inFlight.DeadLetter, webhook.ConsumerName, _stopping.Token);
        (_storedPosition, _storedAt) = (Math.Max(_storedPosition, notification.Position), time.GetTimestamp());
        _inFlight = null;
        LogDeadLettered(logger, webhook.Name, notification.Position, letter.Id, inFlight.Attempts, letter.LastError);
        return true;
    }

    /// <summary>The notification being delivered: the attempts it has had, and its dead letter once it is one and is not yet stored.</summary>
    private sealed record InFlight(long Position, int Attempts, WebhookDeadLetter? DeadLetter);
}
