using Entitlements.Notifications;
using Orleans.Streams;

namespace Entitlements.Gateway.Notifications;

/// <summary>
/// Subscribes the <see cref="NotificationHub"/> once, at start, to every player's notifications
/// (<see cref="NotificationStreams.AllPlayers"/>) through the cluster client, which works the same with
/// a co-hosted silo and with a remote cluster. If the subscription fails, the connections open at that
/// moment are ended (they could miss something; they resume with their cursor) and the hub subscribes
/// again until it succeeds; then the connections opened in between are ended the same way, since
/// nothing fed them live notifications meanwhile.
/// <para>
/// The stream can also drop the subscription without telling it: a pulling agent that cannot reach this
/// gateway (every silo restarted, and this client has not reconnected yet) removes the consumer for
/// good. So every <see cref="CheckInterval"/> the hub asks the stream whether its subscription is still
/// there; when it is gone, the connections are ended as for a failure and the hub subscribes again. The
/// same check removes any other subscription this client holds to the stream: an old one that could not
/// be removed when the hub subscribed again would deliver every notification twice.
/// </para>
/// <para>
/// And the stream can lose notifications while the subscription stays: the memory streams keep what is
/// queued on one silo, and a silo that dies takes it along. Each notification says which position the
/// relay published before it (<see cref="EntitlementNotification.PublishedAfter"/>); when that is past
/// what the hub has had, the connections are ended the same way, and resume from the ledger. The hub
/// starts from the relay's position, asked right after subscribing. When the relay cannot answer, the hub
/// asks again, waiting twice as long each time up to <see cref="MaxPositionRetryDelay"/>. Until it has the
/// position a lost notification would not show, so the first notification to come ends every connection
/// before it reaches them (and then gives the hub its position), and an answer that comes first ends the
/// connections registered until then.
/// </para>
/// </summary>
public sealed partial class NotificationHubSubscription(IClusterClient client, NotificationHub hub, ILogger<NotificationHubSubscription> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>No position yet: the relay's answer sets it, or the first notification after subscribing.</summary>
    private const long Unknown = -1;

    /// <summary>The longest wait between two questions to a relay that could not tell the hub its position.</summary>
    public static readonly TimeSpan MaxPositionRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>How often the hub checks that the stream still holds its subscription.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private StreamSubscriptionHandle<EntitlementNotification>? _handle;

    /// <summary>The highest position the stream has handed the hub (or the relay had published when the hub subscribed).</summary>
    private long _handledThrough = Unknown;

    /// <summary>How many times the hub has subscribed (under <see cref="_lock"/>): an answer from the relay counts only for the latest.</summary>
    private long _subscriptions;
    private Task? _retry;
    private Task? _checking;
    private Task? _asking;

    /// <summary>Whether the hub is subscribing again (after a failure or a dropped subscription) and has not finished.</summary>
    internal bool Resubscribing => Volatile.Read(ref _retry) is { IsCompleted: false };

    /// <summary>Whether the hub is still asking the relay for its position, which it could not tell right after the hub subscribed.</summary>
    internal bool AskingRelayPosition => Volatile.Read(ref _asking) is { IsCompleted: false };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SubscribeAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogSubscribeFailed(logger, exception);
            ScheduleResubscribe();
        }

        _checking = Task.Run(CheckAsync, CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        foreach (var task in new[] { _retry, _checking, _asking })
        {
            if (task is not null)
            {
                await task.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        if (_handle is { } handle)
        {
            try
            {
                await handle.UnsubscribeAsync().WaitAsync(cancellationToken);

                // And any earlier subscription that could not be removed when the hub subscribed again.
                await UnsubscribeOthersAsync(await Stream.GetAllSubscriptionHandles().WaitAsync(cancellationToken), handle, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The silo may already be going away; the subscription goes with it.
                LogUnsubscribeFailed(logger, exception);
            }
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>
    /// Remove every subscription of this client to the stream but <paramref name="current"/>: an earlier one whose
    /// unsubscribe failed when the hub subscribed again (the cluster could not be reached) would hand the hub every
    /// notification a second time. The hub is the only subscriber of this client to the stream.
    /// </summary>
    private async Task UnsubscribeOthersAsync(IEnumerable<StreamSubscriptionHandle<EntitlementNotification>> handles, StreamSubscriptionHandle<EntitlementNotification> current, CancellationToken cancellationToken = default)
    {
        foreach (var other in handles.Where(h => h.HandleId != current.HandleId))
        {
            await other.UnsubscribeAsync().WaitAsync(cancellationToken);
            LogStaleSubscriptionRemoved(logger, other.HandleId);
        }
    }

    private IAsyncStream<EntitlementNotification> Stream =>
        client.GetStreamProvider(NotificationStreams.ProviderName).GetStream<EntitlementNotification>(NotificationStreams.AllPlayers);

    /// <summary>
    /// Subscribe, and ask the relay for its position. Until the hub has it a notification the stream loses goes
    /// unnoticed, so a connection registered before the answer may have missed one: those are ended with their
    /// resume cursors (see <see cref="TryAskPositionAsync"/>). Without an answer every connection is ended now,
    /// and the hub keeps asking (<see cref="KeepAskingPositionAsync"/>).
    /// </summary>
    private async Task SubscribeAsync()
    {
        long subscription;
        lock (_lock)
        {
            subscription = ++_subscriptions;
            Volatile.Write(ref _handledThrough, Unknown);
        }

        _handle = await Stream.SubscribeAsync(OnNextAsync, OnErrorAsync, OnCompletedAsync);
        LogSubscribed(logger);
        if (!await TryAskPositionAsync(subscription))
        {
            hub.InterruptAll();
            Volatile.Write(ref _asking, Task.Run(() => KeepAskingPositionAsync(subscription), CancellationToken.None));
        }
    }

    /// <summary>
    /// Ask the relay what it has published through and start the gap checks there, first ending the connections
    /// registered until then; false when it could not answer. An answer for an earlier subscription, or one that
    /// comes after a notification has given the hub its position (and ended every connection), changes nothing.
    /// </summary>
    private async Task<bool> TryAskPositionAsync(long subscription, bool late = false)
    {
        long position;
        try
        {
            position = await client.GetGrain<INotificationRelayGrain>(0).GetPositionAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogRelayPositionFailed(logger, exception);
            return false;
        }

        lock (_lock)
        {
            if (subscription == _subscriptions && Volatile.Read(ref _handledThrough) == Unknown)
            {
                // Ended before the position is set: a notification that comes in between still finds it unknown and
                // ends every connection itself, so none of these is handed one past a loss it did not see. Then what
                // the relay publishes past this position that the stream loses shows as a gap.
                hub.InterruptRegisteredUpTo(hub.RegisteredSoFar);
                RaiseHandledThrough(position);
                if (late)
                {
                    LogRelayPositionKnown(logger);
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The relay could not tell its position right after the hub subscribed: ask again, waiting longer each time, until it
    /// answers, a notification has given the hub its position (see <see cref="OnNextAsync"/>), or the hub subscribes again.
    /// Once the relay answers, the connections registered until then are ended with their resume cursors, as after a
    /// subscription whose first question was answered.
    /// </summary>
    private async Task KeepAskingPositionAsync(long subscription)
    {
        var stopping = _stopping.Token;
        var delay = RetryDelay;
        try
        {
            while (true)
            {
                await Task.Delay(delay, stopping);
                if (Volatile.Read(ref _subscriptions) != subscription || Volatile.Read(ref _handledThrough) != Unknown)
                {
                    return;
                }

                if (await TryAskPositionAsync(subscription, late: true))
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxPositionRetryDelay.Ticks));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Until the gateway stops: is the subscription still there? If not, end the connections and subscribe again.</summary>
    private async Task CheckAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(CheckInterval, stopping);
                if (_handle is not { } handle || _retry is { IsCompleted: false })
                {
                    continue;
                }

                var handles = await Stream.GetAllSubscriptionHandles();
                if (!ReferenceEquals(handle, _handle) || _retry is { IsCompleted: false })
                {
                    // Subscribing again meanwhile: the list may not show the subscription being made.
                    continue;
                }

                if (!handles.Any(h => h.HandleId == handle.HandleId))
                {
                    LogSubscriptionDropped(logger);
                    hub.InterruptAll();
                    ScheduleResubscribe();
                    continue;
                }

                await UnsubscribeOthersAsync(handles, handle);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The cluster cannot be asked right now: ask again at the next check.
                LogCheckFailed(logger, exception);
            }
        }
    }

    /// <summary>The stream's callback: hand over and return; the hub never waits for a client.</summary>
    private Task OnNextAsync(EntitlementNotification notification, StreamSequenceToken? token)
    {
        var handledThrough = Volatile.Read(ref _handledThrough);
        if (handledThrough == Unknown)
        {
            // The relay has not told the hub its position yet, so this notification may follow one the stream lost
            // without it showing. Ended before it reaches them, the connections resume from the ledger; gaps show
            // from this notification on.
            LogNotificationBeforeRelayPosition(logger, notification.Position);
            hub.InterruptAll();
        }
        else if (notification.FollowsAGap(handledThrough))
        {
            // Ended before this notification reaches them: each resumes from the last one it was sent.
            LogStreamGap(logger, handledThrough, notification.PublishedAfter);
            hub.InterruptAll();
        }

        RaiseHandledThrough(notification.Position);
        hub.Publish(notification);
        return Task.CompletedTask;
    }

    private void RaiseHandledThrough(long position) => ForwardOnly.Raise(ref _handledThrough, position);

    private Task OnErrorAsync(Exception exception)
    {
        LogStreamFailed(logger, exception);
        hub.InterruptAll();
        ScheduleResubscribe();
        return Task.CompletedTask;
    }

    private Task OnCompletedAsync()
    {
        LogStreamCompleted(logger);
        hub.InterruptAll();
        ScheduleResubscribe();
        return Task.CompletedTask;
    }

    private void ScheduleResubscribe()
    {
        lock (_lock)
        {
            if (_stopping.IsCancellationRequested || _retry is { IsCompleted: false })
            {
                return;
            }

            _retry = Task.Run(ResubscribeAsync);
        }
    }

    private async Task ResubscribeAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RetryDelay, stopping);
                if (_handle is { } old)
                {
                    // If this fails, the check removes the old subscription once the new one is made.
                    _handle = null;
                    await old.UnsubscribeAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                // Connections opened while there was no subscription replayed the ledger and then waited
                // for live notifications that nothing handed them: the subscription ends them too, with their
                // resume cursor, so that they read what they missed from the ledger, as it does those opened
                // before the relay answered with its position (a loss before that shows no gap). Those opened
                // after it miss nothing that goes unnoticed, and are left alone. When the relay could not
                // answer, every connection is ended now, and those opened until it does answer are ended then
                // (or when the first notification comes before that).
                await SubscribeAsync();
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogSubscribeFailed(logger, exception);
            }
        }
    }
}
