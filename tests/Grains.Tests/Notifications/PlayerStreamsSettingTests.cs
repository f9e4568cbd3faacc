using System.Diagnostics.Metrics;
using Entitlements.Contracts;
using Entitlements.Notifications;
using Entitlements.Tests.Cluster;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// <c>Notifications:PlayerStreams=false</c>: the relay publishes on the all-players stream only, so it holds
/// no player's stream (and never registers one with its pub-sub grain). On by default, as
/// <see cref="RelayHandoverTests"/> shows every player's stream delivering.
/// </summary>
public sealed class PlayerStreamsSettingTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task PlayerStreamsOff_RelayPublishesOnTheAllPlayersStreamOnly()
    {
        // At most one player's stream per activation: had the relay published on any, it would hand over
        // after the page that did.
        using var handovers = new RelayHandoverRecorder();
        var cluster = ClusterFixture.Build(_directory.Path, new Dictionary<string, string?>
        {
            ["Notifications:PlayerStreams"] = "false",
            ["Notifications:RelayStreamsPerActivation"] = "1",
            ["Notifications:KeepAliveInterval"] = "00:00:00",
        });
        await cluster.DeployAsync();
        try
        {
            var world = new GrainWorld(cluster.Client);
            var sku = await world.PutSkuAsync(EntitlementType.Consumable);
            var user = await world.NewPlayerAsync();
            var other = await world.NewPlayerAsync();
            var transaction = GrainWorld.Unique("tx");
            var grant = await world.SubmitAsync(EntitlementActionType.Grant, user, sku, transaction);
            var refund = await world.SubmitAsync(EntitlementActionType.Refund, user, sku, transaction);
            var last = await world.SubmitAsync(EntitlementActionType.Grant, other, sku, GrainWorld.Unique("tx"));

            await NotificationRecorder.WaitForAsync(other.PlayerUuid, 1);
            Assert.Equal(
                [(grant.EventId, NotificationKind.EntitlementUpdated), (refund.EventId, NotificationKind.EntitlementUpdated), (refund.EventId, NotificationKind.RevocationCompleted)],
                NotificationRecorder.Of(user.PlayerUuid).Select(n => (n.EventId, n.Kind)));
            Assert.Equal([last.EventId], NotificationRecorder.Of(other.PlayerUuid).Select(n => n.EventId));

            var meters = cluster.Silos[0].ServiceProvider.GetRequiredService<IMeterFactory>();
            Assert.Equal(0, handovers.Of(meters));
            foreach (var player in new[] { user.PlayerUuid, other.PlayerUuid })
            {
                Assert.Empty(PlayerStreamRecorder.Of(NotificationStreams.EntitlementUpdatedNamespace, player));
                Assert.Empty(PlayerStreamRecorder.Of(NotificationStreams.RevocationCompletedNamespace, player));
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}
