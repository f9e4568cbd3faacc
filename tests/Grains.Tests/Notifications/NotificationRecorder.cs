using System.Collections.Concurrent;
using Entitlements.Notifications;

namespace Entitlements.Tests.Notifications;

/// <summary>Everything the all-players stream delivered in this test process, per player, in arrival order.</summary>
internal static class NotificationRecorder
{
    private static readonly ConcurrentDictionary<Guid, ConcurrentQueue<EntitlementNotification>> Received = new();

    public static void Record(EntitlementNotification notification) =>
        Received.GetOrAdd(notification.PlayerUuid, _ => new ConcurrentQueue<EntitlementNotification>()).Enqueue(notification);

    public static IReadOnlyList<EntitlementNotification> Of(Guid playerUuid) =>
        Received.TryGetValue(playerUuid, out var queue) ? [.. queue] : [];

    /// <summary>Wait until the player has at least <paramref name="count"/> notifications, for at most 10 seconds.</summary>
    public static async Task<IReadOnlyList<EntitlementNotification>> WaitForAsync(Guid playerUuid, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Of(playerUuid).Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Player {playerUuid} has {Of(playerUuid).Count} notifications, expected {count}.");
            await Task.Delay(10);
        }

        return Of(playerUuid);
    }
}
