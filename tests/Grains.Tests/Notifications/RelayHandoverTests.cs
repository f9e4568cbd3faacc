using System.Diagnostics.Metrics;
using Entitlements.Contracts;
using Entitlements.Notifications;
using Entitlements.Storage;
using Entitlements.Tests.Cluster;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Outage;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// The relay hands over to a fresh activation once it has published on
/// <see cref="NotificationOptions.RelayStreamsPerActivation"/> players' streams, which frees them; across
/// the hand-overs every stream still delivers each notification once and in order, and the next
/// activation starts at once, with no other wake. A hand-over whose position cannot be stored waits for
/// the write, publishing nothing more meanwhile.
/// </summary>
public sealed class RelayHandoverTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ManyPlayersPastTheStreamLimit_RelayHandsOverAndEveryStreamDeliversOnceInOrder()
    {
        var (expected, first, sku, _) = await RecordWithTheRelayPausedAsync();

        // Ten streams per activation, pages of eight events: about every second page hands over. No keep-alive
        // wakes: after the start-up wake, only the relay's own hand-over wake starts each next activation.
        using var handovers = new RelayHandoverRecorder();
        var relaying = ClusterFixture.Build(_directory.Path, RelaySettings());
        await relaying.DeployAsync();
        try
        {
            await AssertEveryStreamDeliveredOnceInOrderAsync(relaying, expected, first, sku);

            // 50 players' streams, at most ten per activation and a page's more: at least two hand-overs.
            var meters = relaying.Silos[0].ServiceProvider.GetRequiredService<IMeterFactory>();
            Assert.True(handovers.Of(meters) >= 2, $"The relay handed over {handovers.Of(meters)} times, expected at least 2.");
        }
        finally
        {
            await relaying.DisposeAsync();
        }
    }

    [Fact]
    public async Task HandOverPositionWriteFails_RelayStaysAndPublishesNothingMoreUntilItIsStored_ThenEveryStreamDeliversOnceInOrder()
    {
        var (expected, first, sku, lastPosition) = await RecordWithTheRelayPausedAsync();

        // The relay's first three position writes fail. Only a hand-over writes it (the periodic write is an hour
        // away), so all three are the first hand-over's, retried at each poll.
        FaultyLedgerStore? faults = null;
        using var handovers = new RelayHandoverRecorder();
        var settings = RelaySettings();
        settings["Notifications:PositionWriteInterval"] = "01:00:00";
        settings["Notifications:PollInterval"] = "00:00:00.100";
        var relaying = ClusterFixture.Build(_directory.Path, settings, silo => silo.Services.AddSingleton(sp =>
        {
            var wrapped = FaultyLedgerStore.Wrap(sp.GetRequiredService<SqliteLedgerStore>());
            wrapped.Faults.FailPositionWrites(NotificationRelayGrain.ConsumerName, 3);
            faults = wrapped.Faults;
            return wrapped.Store;
        }));
        await relaying.DeployAsync();
        try
        {
            await AssertEveryStreamDeliveredOnceInOrderAsync(relaying, expected, first, sku);

            // The same position three times: while its write failed the relay neither handed over nor published
            // further. It was a hand-over's, before the last notification; the hand-over that followed stored it,
            // and the relay went on handing over.
            var refused = faults!.RefusedPositions;
            Assert.Equal(3, refused.Count);
            Assert.Equal([refused[0], refused[0], refused[0]], refused);
            Assert.InRange(refused[0], 1, lastPosition - 1);
            var meters = relaying.Silos[0].ServiceProvider.GetRequiredService<IMeterFactory>();
            Assert.True(handovers.Of(meters) >= 2, $"The relay handed over {handovers.Of(meters)} times, expected at least 2.");
        }
        finally
        {
            await relaying.DisposeAsync();
        }
    }

    private static Dictionary<string, string?> RelaySettings() => new()
    {
        ["Notifications:RelayStreamsPerActivation"] = "10",
        ["Notifications:BatchSize"] = "8",
        ["Notifications:KeepAliveInterval"] = "00:00:00",
    };

    /// <summary>40 players granted, every fourth also refunded (a second stream), recorded with the relay paused.</summary>
    private async Task<(List<(Guid Player, List<(string EventId, long Version, NotificationKind Kind)> Notifications)> Expected, PlatformUserLink First, CatalogSku Sku, long LastPosition)> RecordWithTheRelayPausedAsync()
    {
        const int Players = 40;
        var paused = ClusterFixture.Build(_directory.Path, new Dictionary<string, string?> { ["Notifications:RelayEnabled"] = "false" });
        await paused.DeployAsync();
        var world = new GrainWorld(paused.Client);
        var sku = await world.PutSkuAsync(EntitlementType.Consumable);
        var expected = new List<(Guid Player, List<(string EventId, long Version, NotificationKind Kind)> Notifications)>();
        PlatformUserLink? first = null;
        for (var i = 0; i < Players; i++)
        {
            var user = await world.NewPlayerAsync();
            first ??= user;
            var transaction = GrainWorld.Unique("tx");
            var grant = await world.SubmitAsync(EntitlementActionType.Grant, user, sku, transaction);
            var notifications = new List<(string, long, NotificationKind)> { (grant.EventId, 1, NotificationKind.EntitlementUpdated) };
            if (i % 4 == 0)
            {
                var refund = await world.SubmitAsync(EntitlementActionType.Refund, user, sku, transaction);
                notifications.Add((refund.EventId, 2, NotificationKind.EntitlementUpdated));
                notifications.Add((refund.EventId, 2, NotificationKind.RevocationCompleted));
            }

            expected.Add((user.PlayerUuid, notifications));
        }

        var lastPosition = await paused.Silos[0].ServiceProvider.GetRequiredService<ILedgerStore>().ReadLastNotifyingSequenceAsync();
        await paused.DisposeAsync();
        return (expected, first!, sku, lastPosition);
    }

    private static async Task AssertEveryStreamDeliveredOnceInOrderAsync(
        InProcessTestCluster relaying, List<(Guid Player, List<(string EventId, long Version, NotificationKind Kind)> Notifications)> expected, PlatformUserLink first, CatalogSku sku)
    {
        foreach (var (player, notifications) in expected)
        {
            await NotificationRecorder.WaitForAsync(player, notifications.Count);
        }

        // One more grant, after everything: the all-players stream is ordered, so once it has arrived
        // so has everything published before it, a duplicate included.
        var marker = await new GrainWorld(relaying.Client).SubmitAsync(EntitlementActionType.Grant, first, sku, GrainWorld.Unique("tx"));
        expected[0].Notifications.Add((marker.EventId, 3, NotificationKind.EntitlementUpdated));
        await Poll.UntilAsync(
            () => NotificationRecorder.Of(first.PlayerUuid).Any(n => n.EventId == marker.EventId), TimeSpan.FromSeconds(10), "The marker grant was not delivered within 10 s.");

        foreach (var (player, notifications) in expected)
        {
            Assert.Equal(notifications, NotificationRecorder.Of(player).Select(n => (n.EventId, n.Version, n.Kind)));
            foreach (var (streamNamespace, kind) in new[]
            {
                (NotificationStreams.EntitlementUpdatedNamespace, NotificationKind.EntitlementUpdated),
                (NotificationStreams.RevocationCompletedNamespace, NotificationKind.RevocationCompleted),
            })
            {
                var ofKind = notifications.Where(n => n.Kind == kind).ToList();
                await Poll.UntilAsync(
                    () => PlayerStreamRecorder.Of(streamNamespace, player).Count >= ofKind.Count, TimeSpan.FromSeconds(10), $"Player {player}'s {kind} stream is short.");
                Assert.Equal(ofKind, PlayerStreamRecorder.Of(streamNamespace, player).Select(n => (n.EventId, n.Version, n.Kind)));
            }
        }

        // On the all-players stream each follows the one published before it, across every hand-over.
        var everyone = expected.SelectMany(e => NotificationRecorder.Of(e.Player)).OrderBy(n => n.Position).ToList();
        Assert.Equal(everyone.Select(n => n.Position).Prepend(0L).SkipLast(1).Select(p => (long?)p), everyone.Select(n => n.PublishedAfter));
    }
}
