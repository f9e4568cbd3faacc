namespace Entitlements.Notifications;

/// <summary>
/// Notifications after the query's position, oldest first. <see cref="Position"/> is where the next
/// read starts (the last notification read, or the query's position when there was none).
/// </summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.NotificationPage")]
public sealed record NotificationPage(
    [property: Id(0)] IReadOnlyList<EntitlementNotification> Notifications,
    [property: Id(1)] long Position,
    [property: Id(2)] bool More);
