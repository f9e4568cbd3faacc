using System.Collections.Concurrent;
using Entitlements.Notifications;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// Subscribes implicitly to each player's two streams (one activation per player, keyed like the
/// streams), from the moment a silo starts, and records what they deliver in <see cref="PlayerStreamRecorder"/>.
/// </summary>
[ImplicitStreamSubscription(NotificationStreams.EntitlementUpdatedNamespace)]
[ImplicitStreamSubscription(NotificationStreams.RevocationCompletedNamespace)]
public sealed class PlayerStreamRecorderGrain : Grain, IPlayerStreamRecorderGrain, IStreamSubscriptionObserver
{
    public Task PingAsync() => Task.CompletedTask;

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        ArgumentNullException.ThrowIfNull(handleFactory);
        var stream = handleFactory.StreamId.GetNamespace();
        await handleFactory.Create<EntitlementNotification>().ResumeAsync((notification, _) =>
        {
            PlayerStreamRecorder.Record(stream!, notification);
            return Task.CompletedTask;
        });
    }
}

/// <summary>Everything the players' own streams delivered in this test process, per stream, in arrival order.</summary>
internal static class PlayerStreamRecorder
{
    private static readonly ConcurrentDictionary<(string Namespace, Guid Player), ConcurrentQueue<EntitlementNotification>> Received = new();

    public static void Record(string streamNamespace, EntitlementNotification notification) =>
        Received.GetOrAdd((streamNamespace, notification.PlayerUuid), _ => new ConcurrentQueue<EntitlementNotification>()).Enqueue(notification);

    public static IReadOnlyList<EntitlementNotification> Of(string streamNamespace, Guid playerUuid) =>
        Received.TryGetValue((streamNamespace, playerUuid), out var queue) ? [.. queue] : [];
}
