namespace Entitlements.Tests.Notifications;

/// <summary>A test subscriber of the all-players stream; see <see cref="NotificationRecorderGrain"/>.</summary>
[Alias("Entitlements.Tests.INotificationRecorderGrain")]
public interface INotificationRecorderGrain : IGrainWithGuidKey
{
    [Alias("Ping")]
    Task PingAsync();
}
