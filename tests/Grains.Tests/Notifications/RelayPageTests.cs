using Entitlements.Contracts;
using Entitlements.Notifications;
using Entitlements.Tests.Cluster;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// The relay publishes what it read as few stream messages per stream: many notifications of several
/// players, read in one page, still reach every subscriber once each and in ledger order, also when a
/// stream's part of the page takes several messages.
/// </summary>
public sealed class RelayPageTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task OnePageOfSeveralPlayers_EachStreamDeliversItsNotificationsOnceInLedgerOrder()
    {
        // Recorded with the relay paused, so that the next silo's relay reads all of it in its first page.
        var paused = ClusterFixture.Build(_directory.Path, new Dictionary<string, string?> { ["Notifications:RelayEnabled"] = "false" });
        await paused.DeployAsync();
        var world = new GrainWorld(paused.Client);
        var (ann, bob) = (await world.NewPlayerAsync(), await world.NewPlayerAsync());
        var sku = await world.PutSkuAsync(EntitlementType.Durable);
        var (first, second, third) = (GrainWorld.Unique("tx"), GrainWorld.Unique("tx"), GrainWorld.Unique("tx"));
        var recorded = new List<(Guid Player, string EventId)>();
        foreach (var (user, action, transaction) in new[]
        {
            (ann, EntitlementActionType.Grant, first), (bob, EntitlementActionType.Grant, second), (ann, EntitlementActionType.Refund, first),
            (ann, EntitlementActionType.Grant, third), (bob, EntitlementActionType.Refund, second),
        })
        {
            recorded.Add((user.PlayerUuid, (await world.SubmitAsync(action, user, sku, transaction)).EventId));
        }

        await paused.DisposeAsync();
        Assert.Empty(NotificationRecorder.Of(ann.PlayerUuid));

        var relaying = ClusterFixture.Build(_directory.Path);
        await relaying.DeployAsync();
        try
        {
            // Markers published after the page, on every stream the page used: Ann's refund of her last grant
            // (revoke and revocationCompleted), Bob's grant of one more and its refund. Each stream is ordered, so a
            // count that includes them is reached only once a second copy of anything in the page has had its chance.
            var after = new GrainWorld(relaying.Client);
            var fourth = GrainWorld.Unique("tx");
            foreach (var (user, action, transaction) in new[]
            {
                (ann, EntitlementActionType.Refund, third), (bob, EntitlementActionType.Grant, fourth), (bob, EntitlementActionType.Refund, fourth),
            })
            {
                recorded.Add((user.PlayerUuid, (await after.SubmitAsync(action, user, sku, transaction)).EventId));
            }

            var annAll = await NotificationRecorder.WaitForAsync(ann.PlayerUuid, 6);
            var bobAll = await NotificationRecorder.WaitForAsync(bob.PlayerUuid, 6);
            // Ann: grant (v1), refund (v2: revoke and revocationCompleted), grant (v3), then the marker refund (v4);
            // Bob: grant (v1), refund (v2), then the marker grant (v3) and refund (v4).
            Assert.Equal(
                [
                    (1L, NotificationKind.EntitlementUpdated), (2L, NotificationKind.EntitlementUpdated), (2L, NotificationKind.RevocationCompleted),
                    (3L, NotificationKind.EntitlementUpdated), (4L, NotificationKind.EntitlementUpdated), (4L, NotificationKind.RevocationCompleted),
                ],
                annAll.Select(n => (n.Version, n.Kind)));
            Assert.Equal(
                [
                    (1L, NotificationKind.EntitlementUpdated), (2L, NotificationKind.EntitlementUpdated), (2L, NotificationKind.RevocationCompleted),
                    (3L, NotificationKind.EntitlementUpdated), (4L, NotificationKind.EntitlementUpdated), (4L, NotificationKind.RevocationCompleted),
                ],
                bobAll.Select(n => (n.Version, n.Kind)));
            Assert.All(new[] { annAll, bobAll }, all => Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Position < p.Second.Position)));

            // On the all-players stream each follows the one published before it, the first the relay's start.
            var everyone = annAll.Concat(bobAll).OrderBy(n => n.Position).ToList();
            Assert.Equal(
                everyone.Select(n => n.Position).Prepend(0L).SkipLast(1).Select(p => (long?)p),
                everyone.Select(n => n.PublishedAfter));
            foreach (var (user, all) in new[] { (ann, annAll), (bob, bobAll) })
            {
                Assert.Equal(
                    recorded.Where(r => r.Player == user.PlayerUuid).Select(r => r.EventId),
                    all.Where(n => n.Kind == NotificationKind.EntitlementUpdated).Select(n => n.EventId));
            }

            var streams = new[]
            {
                (annAll, NotificationStreams.EntitlementUpdatedNamespace, NotificationKind.EntitlementUpdated),
                (annAll, NotificationStreams.RevocationCompletedNamespace, NotificationKind.RevocationCompleted),
                (bobAll, NotificationStreams.EntitlementUpdatedNamespace, NotificationKind.EntitlementUpdated),
                (bobAll, NotificationStreams.RevocationCompletedNamespace, NotificationKind.RevocationCompleted),
            };
            foreach (var (all, streamNamespace, kind) in streams)
            {
                // The player's own stream of that kind: exactly the all-players stream's notifications of that kind.
                var expected = all.Where(n => n.Kind == kind).Select(n => (n.EventId, n.Version)).ToList();
                var player = all[0].PlayerUuid;
                await WaitUntilAsync(() => PlayerStreamRecorder.Of(streamNamespace, player).Count >= expected.Count);
                Assert.Equal(expected, PlayerStreamRecorder.Of(streamNamespace, player).Select(n => (n.EventId, n.Version)));
                Assert.All(PlayerStreamRecorder.Of(streamNamespace, player), n => Assert.Null(n.PublishedAfter));
            }
        }
        finally
        {
            await relaying.DisposeAsync();
        }
    }

    [Fact]
    public async Task APageLargerThanOneStreamMessage_ArrivesOnceAndInOrder()
    {
        // Grants of one player, recorded with the relay paused: the next relay reads them in one page and
        // publishes each stream in three messages (two full chunks and 22 notifications).
        const int Grants = (2 * NotificationRelayGrain.StreamChunk) + 22;
        var paused = ClusterFixture.Build(_directory.Path, new Dictionary<string, string?> { ["Notifications:RelayEnabled"] = "false" });
        await paused.DeployAsync();
        var world = new GrainWorld(paused.Client);
        var player = await world.NewPlayerAsync();
        var sku = await world.PutSkuAsync(EntitlementType.Consumable);
        var eventIds = new List<string>();
        for (var i = 0; i < Grants; i++)
        {
            eventIds.Add((await world.SubmitAsync(EntitlementActionType.Grant, player, sku, GrainWorld.Unique("tx"))).EventId);
        }

        await paused.DisposeAsync();

        var relaying = ClusterFixture.Build(_directory.Path);
        await relaying.DeployAsync();
        try
        {
            // One more grant, published after the page: both streams are ordered, so once it has arrived
            // everything the page's publish delivered (a duplicate included) has arrived before it.
            var marker = await new GrainWorld(relaying.Client).SubmitAsync(EntitlementActionType.Grant, player, sku, GrainWorld.Unique("tx"));
            eventIds.Add(marker.EventId);
            await NotificationRecorder.WaitForAsync(player.PlayerUuid, Grants + 1);
            await WaitUntilAsync(() => PlayerStreamRecorder.Of(NotificationStreams.EntitlementUpdatedNamespace, player.PlayerUuid).Any(n => n.EventId == marker.EventId));
            await WaitUntilAsync(() => NotificationRecorder.Of(player.PlayerUuid).Any(n => n.EventId == marker.EventId));
            var expected = eventIds.Select((id, i) => (id, (long)i + 1)).ToList();
            Assert.Equal(expected, NotificationRecorder.Of(player.PlayerUuid).Select(n => (n.EventId, n.Version)));
            Assert.Equal(expected, PlayerStreamRecorder.Of(NotificationStreams.EntitlementUpdatedNamespace, player.PlayerUuid).Select(n => (n.EventId, n.Version)));

            // The chain of published positions runs on across the chunks and into the next page.
            var all = NotificationRecorder.Of(player.PlayerUuid);
            Assert.Equal(all.Select(n => n.Position).Prepend(0L).SkipLast(1).Select(p => (long?)p), all.Select(n => n.PublishedAfter));
        }
        finally
        {
            await relaying.DisposeAsync();
        }
    }

    [Fact]
    public async Task APageOfLargeNotifications_ArrivesCompleteAndInOrder()
    {
        // Refunds as long as the gateway lets them be: a 2,048-character platform user and SKU, 4,096-character
        // transaction ids, every character one that takes 4 bytes in UTF-8. Each revocationCompleted is about
        // 48 KB, so 64 of them would not fit in one block of the memory streams' 1 MiB pool.
        const int Refunds = 40;
        var paused = ClusterFixture.Build(_directory.Path, new Dictionary<string, string?> { ["Notifications:RelayEnabled"] = "false" });
        await paused.DeployAsync();
        var world = new GrainWorld(paused.Client);
        var linked = await paused.Client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.Steam, Long("user", 2048))).LinkAsync("Player", null);
        var player = linked.Link;
        var sku = await world.PutSkuAsync(EntitlementType.Consumable, sku: Long("sku", 2048));
        var expected = new List<(string EventId, long Version, NotificationKind Kind)>();
        for (var i = 0; i < Refunds; i++)
        {
            var transaction = Long("tx", 4096);
            var grant = await world.SubmitAsync(EntitlementActionType.Grant, player, sku, transaction);
            var refund = await world.SubmitAsync(EntitlementActionType.Refund, player, sku, transaction);
            expected.Add((grant.EventId, grant.Version!.Value, NotificationKind.EntitlementUpdated));
            expected.Add((refund.EventId, refund.Version!.Value, NotificationKind.EntitlementUpdated));
            expected.Add((refund.EventId, refund.Version!.Value, NotificationKind.RevocationCompleted));
        }

        await paused.DisposeAsync();

        var relaying = ClusterFixture.Build(_directory.Path);
        await relaying.DeployAsync();
        try
        {
            var all = await NotificationRecorder.WaitForAsync(player.PlayerUuid, expected.Count);
            Assert.Equal(expected, all.Select(n => (n.EventId, n.Version, n.Kind)));
            Assert.Equal(all.Select(n => n.Position).Prepend(0L).SkipLast(1).Select(p => (long?)p), all.Select(n => n.PublishedAfter));
            Assert.Equal((sku.Sku, player.PlatformUserId), (all[^1].RevocationCompleted!.Payload.Meta.Sku, all[^1].RevocationCompleted!.Payload.Meta.PlatformUserId));

            // 64 of the largest would not fit in one 1 MiB block; one alone takes far less than a chunk.
            var serializer = relaying.Client.ServiceProvider.GetRequiredService<Serializer<EntitlementNotification>>();
            var largest = all.Max(n => serializer.SerializeToArray(n).Length);
            Assert.InRange(largest, (1 << 20) / NotificationRelayGrain.StreamChunk, NotificationRelayGrain.StreamChunkBytes / 4);
            foreach (var (streamNamespace, kind) in new[]
            {
                (NotificationStreams.EntitlementUpdatedNamespace, NotificationKind.EntitlementUpdated),
                (NotificationStreams.RevocationCompletedNamespace, NotificationKind.RevocationCompleted),
            })
            {
                var ofKind = expected.Where(e => e.Kind == kind).ToList();
                await WaitUntilAsync(() => PlayerStreamRecorder.Of(streamNamespace, player.PlayerUuid).Count >= ofKind.Count);
                Assert.Equal(ofKind, PlayerStreamRecorder.Of(streamNamespace, player.PlayerUuid).Select(n => (n.EventId, n.Version, n.Kind)));
            }
        }
        finally
        {
            await relaying.DisposeAsync();
        }
    }

    /// <summary>A unique text of <paramref name="codePoints"/> characters, all but its prefix ones of 4 bytes in UTF-8.</summary>
    private static string Long(string prefix, int codePoints)
    {
        var unique = GrainWorld.Unique(prefix);
        return unique + string.Concat(Enumerable.Repeat("\U0001F600", codePoints - unique.Length));
    }

    private static Task WaitUntilAsync(Func<bool> condition) =>
        Poll.UntilAsync(condition, TimeSpan.FromSeconds(10), "The players' streams did not deliver everything within 10 s.");
}
