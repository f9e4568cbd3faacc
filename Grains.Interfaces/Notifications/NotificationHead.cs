namespace Entitlements.Notifications;

/// <summary>
/// Where a consumer that does not resume starts: after <see cref="Position"/>, the newest committed
/// notification's, with <see cref="Cursor"/>, the cursor that resumes there if the consumer is ended
/// before it was sent anything.
/// </summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.NotificationHead")]
public sealed record NotificationHead(
    [property: Id(0)] long Position,
    [property: Id(1)] string Cursor);
