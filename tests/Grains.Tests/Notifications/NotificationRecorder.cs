using System.Collections.Concurrent;
using Entitlements.Notifications;
using Entitlements.Tests.Infrastructure;

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
        await Poll.UntilAsync(() => Of(playerUuid).Count >= count, TimeSpan.FromSeconds(10), () => $"Player {playerUuid} has {Of(playerUuid).Count} notifications, expected {count}.");
        return Of(playerUuid);
    }
}
