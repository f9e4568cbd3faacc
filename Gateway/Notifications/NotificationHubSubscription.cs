using Entitlements.Notifications;
using Orleans.Streams;

namespace Entitlements.Gateway.Notifications;

/// <summary>
/// Subscribes the <see cref="NotificationHub"/> once, at start, to every player's notifications
/// (<see cref="NotificationStreams.AllPlayers"/>) through the cluster client, which works the same with
/// a co-hosted silo and with a remote cluster. If the subscription fails, the connections open at that
/// moment are ended (they could miss something; they resume with their cursor) and the hub subscribes
/// again until it succeeds.
/// </summary>
public sealed partial class NotificationHubSubscription(IClusterClient client, NotificationHub hub, ILogger<NotificationHubSubscription> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private StreamSubscriptionHandle<EntitlementNotification>? _handle;
    private Task? _retry;

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
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_retry is { } retry)
        {
            await retry.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_handle is { } handle)
        {
            try
            {
                await handle.UnsubscribeAsync().WaitAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The silo may already be going away; the subscription goes with it.
                LogUnsubscribeFailed(logger, exception);
            }
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task SubscribeAsync()
    {
        var stream = client.GetStreamProvider(NotificationStreams.ProviderName).GetStream<EntitlementNotification>(NotificationStreams.AllPlayers);
        _handle = await stream.SubscribeAsync(OnNextAsync, OnErrorAsync, OnCompletedAsync);
        LogSubscribed(logger);
    }

    /// <summary>The stream's callback: hand over and return; the hub never waits for a client.</summary>
    private Task OnNextAsync(EntitlementNotification notification, StreamSequenceToken? token)
    {
        hub.Publish(notification);
        return Task.CompletedTask;
    }

    private Task OnErrorAsync(Exception exception)
    {
        LogStreamFailed(logger, exception);
        hub.InterruptAll();
        ScheduleResubscribe();
        return Task.CompletedTask;
    }

    private Task OnCompletedAsync()
    {
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
                    _handle = null;
                    await old.UnsubscribeAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

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
