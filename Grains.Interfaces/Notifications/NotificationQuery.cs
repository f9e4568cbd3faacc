namespace Entitlements.Notifications;

/// <summary>Read the feed after a position: one player's notifications, or everybody's when <see cref="PlayerUuid"/> is null.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.NotificationQuery")]
public sealed record NotificationQuery(
    [property: Id(0)] Guid? PlayerUuid,
    [property: Id(1)] long AfterPosition,
    [property: Id(2)] int Limit);
