using Entitlements.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Entitlements.Notifications;

/// <summary>
/// Keeps the ledger's consumers running: every <see cref="NotificationOptions.KeepAliveInterval"/> each
/// silo wakes the relay and every configured webhook. Each keeps itself active with a timer, but a silo
/// that dies takes its activations along, and only a wake activates them again: the relay is woken by
/// the next append, a webhook by the relay's next publish. Until then notifications committed before
/// the death stayed unpublished, and a webhook delivery waiting for its retry was not retried. A wake
/// costs a one-way call; a consumer that is already running only looks at the ledger once more.
/// </summary>
internal sealed partial class ConsumerKeepAlive(
    IGrainFactory grains,
    IOptions<NotificationOptions> options,
    IOptions<WebhookOptions> webhooks,
    ILogger<ConsumerKeepAlive> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ConsumerKeepAlive), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose() => _stopping.Dispose();

    private Task StartAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.KeepAliveInterval;
        if (interval > TimeSpan.Zero)
        {
            _loop = Task.Run(() => WakeEveryAsync(interval), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task WakeEveryAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    await grains.GetGrain<INotificationRelayGrain>(0).WakeAsync();
                    foreach (var webhook in webhooks.Value.Webhooks)
                    {
                        await grains.GetGrain<IWebhookGrain>(webhook.Name).WakeAsync();
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The silo may be joining or leaving the cluster: the next tick tries again.
                    LogWakeFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }
}
