using System.Collections.Concurrent;
using Entitlements.Contracts;
using Entitlements.Notifications;
using Entitlements.Tests.Cluster;
using Entitlements.Tests.Infrastructure;
using Orleans.Streams;

namespace Entitlements.Tests.Notifications;

/// <summary>What the relay publishes to the streams, and what the feed grain reads back from the ledger.</summary>
[Collection(ClusterDefinition.Name)]
public class NotificationStreamTests(ClusterFixture fixture)
{
    private readonly GrainWorld _world = new(fixture.Client);

    [Fact]
    public async Task Grant_PublishesEntitlementUpdatedToTheAllPlayersStream()
    {
        var user = await _world.NewPlayerAsync();
        var sku = await _world.PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 5);

        var grant = await _world.SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"), quantity: 2);

        var notification = Assert.Single(await NotificationRecorder.WaitForAsync(user.PlayerUuid, 1));
        Assert.Equal((grant.EventId, 1L, NotificationKind.EntitlementUpdated), (notification.EventId, notification.Version, notification.Kind));
        var message = notification.EntitlementUpdated!;
        Assert.Equal("grant", message.Payload.Action);
        var entitlement = Assert.Single(message.Payload.Data);
        Assert.Equal((sku.ItemId, 10L, user.PlayerUuid.ToString("N")), (entitlement.ItemId, entitlement.UseCount, entitlement.UserId));
        Assert.Null(notification.RevocationCompleted);
    }

    [Fact]
    public async Task Refund_PublishesRevokeThenRevocationCompletedToThePlayersStreams()
    {
        var user = await _world.NewPlayerAsync();
        var sku = await _world.PutSkuAsync(EntitlementType.Durable);
        var provider = fixture.Client.GetStreamProvider(NotificationStreams.ProviderName);
        var updated = new ConcurrentQueue<EntitlementNotification>();
        var revoked = new ConcurrentQueue<EntitlementNotification>();
        var updates = await provider.GetStream<EntitlementNotification>(NotificationStreams.ForPlayer(NotificationKind.EntitlementUpdated, user.PlayerUuid))
            .SubscribeAsync((n, _) => Enqueue(updated, n));
        var revocations = await provider.GetStream<EntitlementNotification>(NotificationStreams.ForPlayer(NotificationKind.RevocationCompleted, user.PlayerUuid))
            .SubscribeAsync((n, _) => Enqueue(revoked, n));
        var transaction = GrainWorld.Unique("tx");

        var grant = await _world.SubmitAsync(EntitlementActionType.Grant, user, sku, transaction);
        var refund = await _world.SubmitAsync(EntitlementActionType.Refund, user, sku, transaction);

        var all = await NotificationRecorder.WaitForAsync(user.PlayerUuid, 3);
        Assert.Equal(
            [(grant.EventId, NotificationKind.EntitlementUpdated, 1L), (refund.EventId, NotificationKind.EntitlementUpdated, 2L), (refund.EventId, NotificationKind.RevocationCompleted, 2L)],
            all.Select(n => (n.EventId, n.Kind, n.Version)));
        Assert.Equal(["grant", "revoke"], all.Take(2).Select(n => n.EntitlementUpdated!.Payload.Action));
        Assert.True(all[0].Position < all[1].Position && all[1].Position < all[2].Position);
        Assert.Equal(refund.EventId, all[2].RevocationCompleted!.Id);

        await WaitUntilAsync(() => updated.Count == 2 && revoked.Count == 1);
        Assert.Equal([grant.EventId, refund.EventId], updated.Select(n => n.EventId));
        Assert.Equal(refund.EventId, Assert.Single(revoked).EventId);
        await updates.UnsubscribeAsync();
        await revocations.UnsubscribeAsync();
    }

    [Fact]
    public async Task RefundWithNoGrant_PublishesOnlyRevocationCompletedToThePlayersStreams()
    {
        var user = await _world.NewPlayerAsync();
        var sku = await _world.PutSkuAsync(EntitlementType.Durable);
        var provider = fixture.Client.GetStreamProvider(NotificationStreams.ProviderName);
        var revoked = new ConcurrentQueue<EntitlementNotification>();
        var revocations = await provider.GetStream<EntitlementNotification>(NotificationStreams.ForPlayer(NotificationKind.RevocationCompleted, user.PlayerUuid))
            .SubscribeAsync((n, _) => Enqueue(revoked, n));

        var refund = await _world.SubmitAsync(EntitlementActionType.Refund, user, sku, GrainWorld.Unique("tx"));
        var grant = await _world.SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"));

        var all = await NotificationRecorder.WaitForAsync(user.PlayerUuid, 2);
        Assert.Equal(
            [(refund.EventId, NotificationKind.RevocationCompleted, 1L), (grant.EventId, NotificationKind.EntitlementUpdated, 2L)],
            all.Select(n => (n.EventId, n.Kind, n.Version)));
        var payload = all[0].RevocationCompleted!.Payload;
        Assert.Null(all[0].EntitlementUpdated);
        Assert.Equal(("SUCCESS", true, 0L), (payload.Status, Assert.Single(payload.ItemRevocations).Skipped, payload.ItemRevocations[0].Quantity));
        var feed = fixture.Client.GetGrain<INotificationFeedGrain>(0);
        var read = await feed.ReadAsync(new NotificationQuery(user.PlayerUuid, 0, 100));
        Assert.Equal(all.Select(n => (n.Position, n.EventId, n.Kind)), read.Notifications.Select(n => (n.Position, n.EventId, n.Kind)));

        await WaitUntilAsync(() => revoked.Count == 1);
        Assert.Equal(refund.EventId, Assert.Single(revoked).EventId);
        await revocations.UnsubscribeAsync();
    }

    [Fact]
    public async Task FeedRead_AfterACursor_ReturnsWhatCameLaterInLedgerOrder()
    {
        var user = await _world.NewPlayerAsync();
        var other = await _world.NewPlayerAsync();
        var sku = await _world.PutSkuAsync(EntitlementType.Consumable);
        var transaction = GrainWorld.Unique("tx");
        var first = await _world.SubmitAsync(EntitlementActionType.Grant, user, sku, transaction);
        await _world.SubmitAsync(EntitlementActionType.Grant, other, sku, GrainWorld.Unique("tx"));
        var second = await _world.SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"));
        var refund = await _world.SubmitAsync(EntitlementActionType.Chargeback, user, sku, transaction);
        var feed = fixture.Client.GetGrain<INotificationFeedGrain>(0);

        var everything = await feed.ReadAsync(new NotificationQuery(user.PlayerUuid, 0, 100));
        var after = await feed.DecodeCursorAsync(everything.Notifications[0].Cursor);
        var rest = await feed.ReadAsync(new NotificationQuery(user.PlayerUuid, after!.Value, 2));
        var last = await feed.ReadAsync(new NotificationQuery(user.PlayerUuid, rest.Position, 2));

        Assert.Equal(
            [(first.EventId, NotificationKind.EntitlementUpdated), (second.EventId, NotificationKind.EntitlementUpdated), (refund.EventId, NotificationKind.EntitlementUpdated), (refund.EventId, NotificationKind.RevocationCompleted)],
            everything.Notifications.Select(n => (n.EventId, n.Kind)));
        Assert.False(everything.More);
        Assert.Equal(everything.Notifications.Skip(1).Take(2).Select(n => n.Position), rest.Notifications.Select(n => n.Position));
        Assert.True(rest.More);
        Assert.Equal(everything.Notifications[3].Position, Assert.Single(last.Notifications).Position);
        Assert.False(last.More);
        Assert.True(await feed.HeadAsync() >= everything.Notifications[3].Position);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FeedRead_AFullPageAfterACursor_SaysThereIsMore(bool onePlayer)
    {
        // The event at the cursor is read again (its second notification may be next) and gives nothing new:
        // a page that is then full still has to say that more follows.
        var user = await _world.NewPlayerAsync();
        var sku = await _world.PutSkuAsync(EntitlementType.Consumable);
        var grants = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            grants.Add((await _world.SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"))).EventId);
        }

        var feed = fixture.Client.GetGrain<INotificationFeedGrain>(0);
        var player = onePlayer ? user.PlayerUuid : (Guid?)null;
        var mine = (await feed.ReadAsync(new NotificationQuery(user.PlayerUuid, 0, 100))).Notifications;
        var page = await feed.ReadAsync(new NotificationQuery(player, mine[0].Position, 2));
        var next = await feed.ReadAsync(new NotificationQuery(player, page.Position, 100));

        Assert.Equal(grants, mine.Select(n => n.EventId));
        Assert.Equal(grants[1..3], page.Notifications.Select(n => n.EventId));
        Assert.True(page.More);
        Assert.Equal(grants[3], next.Notifications[0].EventId);
        if (onePlayer)
        {
            Assert.Single(next.Notifications);
            Assert.False(next.More);
        }
    }

    [Fact]
    public async Task FeedDecodeCursor_OfAnotherListingOrAltered_IsRefused()
    {
        var user = await _world.NewPlayerAsync();
        var sku = await _world.PutSkuAsync(EntitlementType.Consumable);
        await _world.SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"));
        await _world.SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"));
        var feed = fixture.Client.GetGrain<INotificationFeedGrain>(0);
        var first = (await feed.ReadAsync(new NotificationQuery(user.PlayerUuid, 0, 1))).Notifications[0];
        var cursor = first.Cursor;
        var altered = (cursor[0] == 'A' ? 'B' : 'A') + cursor[1..];

        // Two events and a limit of one: both event listings, the player's and everybody's, issue a cursor.
        var playerListing = await _world.Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid, Limit = 1 });
        var everybodyListing = await _world.Events.ListAsync(new EntitlementEventQuery { Limit = 1 });
        Assert.Single(playerListing.Events);
        Assert.Single(everybodyListing.Events);
        Assert.NotNull(playerListing.Cursor);
        Assert.NotNull(everybodyListing.Cursor);

        Assert.Equal(first.Position, await feed.DecodeCursorAsync(cursor));
        Assert.Null(await feed.DecodeCursorAsync(altered));
        Assert.Null(await feed.DecodeCursorAsync("not-a-cursor"));
        Assert.Null(await feed.DecodeCursorAsync(playerListing.Cursor));
        Assert.Null(await feed.DecodeCursorAsync(everybodyListing.Cursor));
    }

    [Fact]
    public async Task Relay_AfterPublishing_StoresItsPosition()
    {
        var user = await _world.NewPlayerAsync();
        var sku = await _world.PutSkuAsync(EntitlementType.Consumable);
        await _world.SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"));
        var notification = Assert.Single(await NotificationRecorder.WaitForAsync(user.PlayerUuid, 1));

        await WaitUntilAsync(async () => await fixture.Store.FindConsumerPositionAsync(NotificationRelayGrain.ConsumerName) >= notification.Position);

        Assert.True(await fixture.Client.GetGrain<INotificationRelayGrain>(0).GetPositionAsync() >= notification.Position);
    }

    private static Task Enqueue(ConcurrentQueue<EntitlementNotification> queue, EntitlementNotification notification)
    {
        queue.Enqueue(notification);
        return Task.CompletedTask;
    }

    private static Task WaitUntilAsync(Func<bool> condition) =>
        Poll.UntilAsync(condition, TimeSpan.FromSeconds(10), "The condition did not hold within 10 seconds.");

    private static Task WaitUntilAsync(Func<Task<bool>> condition) =>
        Poll.UntilAsync(condition, TimeSpan.FromSeconds(10), "The condition did not hold within 10 seconds.");
}
