namespace Entitlements.Tests.Notifications;

/// <summary>A test subscriber of every player's own streams; see <see cref="PlayerStreamRecorderGrain"/>.</summary>
[Alias("Entitlements.Tests.IPlayerStreamRecorderGrain")]
public interface IPlayerStreamRecorderGrain : IGrainWithGuidKey
{
    [Alias("Ping")]
    Task PingAsync();
}
