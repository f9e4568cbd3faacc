using Entitlements.Notifications;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// Subscribes implicitly to the all-players stream, so it gets every notification the relay publishes
/// from the moment a silo starts (an explicit subscriber could subscribe only after the relay's first
/// publish), and records them in <see cref="NotificationRecorder"/>.
/// </summary>
[ImplicitStreamSubscription(NotificationStreams.AllPlayersNamespace)]
public sealed class NotificationRecorderGrain : Grain, INotificationRecorderGrain, IStreamSubscriptionObserver
{
    public Task PingAsync() => Task.CompletedTask;

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        ArgumentNullException.ThrowIfNull(handleFactory);
        await handleFactory.Create<EntitlementNotification>().ResumeAsync((notification, _) =>
        {
            NotificationRecorder.Record(notification);
            return Task.CompletedTask;
        });
    }
}
