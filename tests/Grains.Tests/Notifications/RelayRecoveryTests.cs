using Entitlements.Contracts;
using Entitlements.Storage;
using Entitlements.Tests.Cluster;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// A change acknowledged just before the silo died is still notified: the notification is in the
/// ledger, and the relay of the next silo publishes from the position the dead one stored. What the
/// next relay publishes on the all-players stream says it follows that position.
/// </summary>
public sealed class RelayRecoveryTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task SiloKilledBetweenCommitAndPublish_NotificationArrivesAfterRestart()
    {
        // The relay is paused on the first silo, so the kill lands after the commit and before any publish.
        var first = ClusterFixture.Build(_directory.Path, new Dictionary<string, string?> { ["Notifications:RelayEnabled"] = "false" });
        await first.DeployAsync();
        var world = new GrainWorld(first.Client);
        var user = await world.NewPlayerAsync();
        var sku = await world.PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 3);
        var grant = await world.SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"));
        var store = first.Silos[0].ServiceProvider.GetRequiredService<ILedgerStore>();
        Assert.Null(await store.FindConsumerPositionAsync(NotificationRelayGrain.ConsumerName));
        await first.KillSiloAsync(first.Silos[0]);
        await first.DisposeAsync();
        Assert.Empty(NotificationRecorder.Of(user.PlayerUuid));

        var second = ClusterFixture.Build(_directory.Path);
        await second.DeployAsync();
        try
        {
            // One more grant after the restart: the stream is ordered, so once it has arrived a second copy
            // of the recovered notification has had its chance to come before it.
            var marker = await new GrainWorld(second.Client).SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"));
            await Poll.UntilAsync(
                () => NotificationRecorder.Of(user.PlayerUuid).Any(n => n.EventId == marker.EventId), TimeSpan.FromSeconds(10), "The marker grant was not delivered within 10 s.");
            var notifications = NotificationRecorder.Of(user.PlayerUuid);
            Assert.Equal([(grant.EventId, 1L), (marker.EventId, 2L)], notifications.Select(n => (n.EventId, n.Version)));
            Assert.Equal(3, Assert.Single(notifications[0].EntitlementUpdated!.Payload.Data).UseCount);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task RelayOfTheNextSilo_PublishesAfterThePositionTheLastOneStored()
    {
        var first = ClusterFixture.Build(_directory.Path);
        await first.DeployAsync();
        var world = new GrainWorld(first.Client);
        var user = await world.NewPlayerAsync();
        var sku = await world.PutSkuAsync(EntitlementType.Consumable);
        await world.SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"));
        var published = Assert.Single(await NotificationRecorder.WaitForAsync(user.PlayerUuid, 1));
        Assert.Equal(0L, published.PublishedAfter);
        await first.DisposeAsync();

        var second = ClusterFixture.Build(_directory.Path);
        await second.DeployAsync();
        try
        {
            // Stopped in an orderly way, the first relay stored how far it had published.
            var store = second.Silos[0].ServiceProvider.GetRequiredService<ILedgerStore>();
            Assert.Equal(published.Position, await store.FindConsumerPositionAsync(NotificationRelayGrain.ConsumerName));
            // The next grant is also the marker: once it has arrived, a republished first grant would have come before it.
            var later = await new GrainWorld(second.Client).SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"));
            await Poll.UntilAsync(
                () => NotificationRecorder.Of(user.PlayerUuid).Any(n => n.EventId == later.EventId), TimeSpan.FromSeconds(10), "The second grant was not delivered within 10 s.");
            Assert.Equal(
                [(published.EventId, 1L, (long?)0L), (later.EventId, 2L, published.Position)],
                NotificationRecorder.Of(user.PlayerUuid).Select(n => (n.EventId, n.Version, n.PublishedAfter)));
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}
