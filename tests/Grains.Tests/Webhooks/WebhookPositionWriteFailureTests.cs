using Entitlements.Contracts;
using Entitlements.Notifications;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Outage;
using Entitlements.Tests.Storage;
using Entitlements.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Webhooks;

/// <summary>
/// A delivered notification whose position cannot be stored once its write is due: nothing more is sent until
/// the write succeeds at a later poll. With <c>Notifications:PositionWriteInterval</c> zero, as in the first
/// test, every position is due, so the stored position never trails the deliveries by more than the one in flight.
/// </summary>
public sealed class WebhookPositionWriteFailureTests
{
    private const string Name = "position-outage";
    private const string Path = "/hooks/position-outage";

    [Fact]
    public async Task PositionWrite_FailsThreeTimes_SendsNothingMoreUntilStoredThenDeliversTheRestOnce()
    {
        using var directory = new TempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = WebhookCluster.Webhook(0, Name, receiver.Url(Path));
        settings["Notifications:PositionWriteInterval"] = "00:00:00";
        await using var cluster = await WebhookCluster.StartAsync(
            directory.Path,
            silo => silo.Services.AddSingleton(sp => FaultyLedgerStore.Wrap(sp.GetRequiredService<SqliteLedgerStore>()).Store),
            settings);
        var faults = (FaultyLedgerStore)(object)cluster.Silos[0].ServiceProvider.GetRequiredService<ILedgerStore>();
        var consumer = WebhookEndpointOptions.ConsumerNameOf(Name);
        var ledger = new LedgerActions(cluster.Client);
        var user = await ledger.NewPlayerAsync();
        var sku = await ledger.PutSkuAsync();

        // Active, with its starting position stored, before the writes start failing.
        await cluster.Client.GetGrain<IWebhookGrain>(Name).GetStatusAsync();
        faults.FailPositionWrites(consumer, 3);
        var first = await ledger.GrantAsync(user, sku);
        var second = await ledger.GrantAsync(user, sku);
        var third = await ledger.GrantAsync(user, sku);
        var feed = await ledger.NotificationsAsync(user.PlayerUuid);

        // Each poll tried the first notification's position again and sent nothing else.
        await WaitUntilAsync(() => Task.FromResult(faults.RefusedPositions.Count == 3));
        Assert.Equal([feed[0].Position, feed[0].Position, feed[0].Position], faults.RefusedPositions);

        // Once stored, the rest follow: each sent once, in order, and the last one's position stored.
        await WaitUntilAsync(async () => await faults.Inner.FindConsumerPositionAsync(consumer) == feed[2].Position);
        var requests = receiver.Requests(Path, user.PlayerUuid);
        Assert.Equal(
            [(first.EventId, "1", 200), (second.EventId, "1", 200), (third.EventId, "1", 200)],
            requests.Select(r => (r.Header(WebhookHeaders.EventId), r.Header(WebhookHeaders.Attempt), r.Status)));
        Assert.Equal(feed.Select(NotificationJson.Serialize), requests.Select(r => r.Body));
    }

    [Fact]
    public async Task GetStatus_PositionWriteRefused_ReportsTheStoredPositionAndTheDeliveredOneApart()
    {
        using var directory = new TempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var cluster = await WebhookCluster.StartAsync(
            directory.Path,
            silo => silo.Services.AddSingleton(sp => FaultyLedgerStore.Wrap(sp.GetRequiredService<SqliteLedgerStore>()).Store),
            WebhookCluster.Webhook(0, Name, receiver.Url(Path)));
        var faults = (FaultyLedgerStore)(object)cluster.Silos[0].ServiceProvider.GetRequiredService<ILedgerStore>();
        var consumer = WebhookEndpointOptions.ConsumerNameOf(Name);
        var webhook = cluster.Client.GetGrain<IWebhookGrain>(Name);
        var ledger = new LedgerActions(cluster.Client);
        var user = await ledger.NewPlayerAsync();
        var sku = await ledger.PutSkuAsync();
        var start = (await webhook.GetStatusAsync())!.Position;
        faults.FailPositionWrites(consumer, int.MaxValue);

        await ledger.GrantAsync(user, sku);
        var delivered = Assert.Single(await ledger.NotificationsAsync(user.PlayerUuid)).Position;
        await WaitUntilAsync(() => Task.FromResult(faults.RefusedPositions.Count >= 2));
        var owed = (await webhook.GetStatusAsync())!;
        faults.FailPositionWrites(consumer, 0);
        await WaitUntilAsync(async () => await faults.Inner.FindConsumerPositionAsync(consumer) == delivered);
        var stored = (await webhook.GetStatusAsync())!;

        // While the write is owed, the position is the stored one, where a restart would resume; the delivery is shown apart.
        Assert.Equal((start, delivered), (owed.Position, owed.DeliveredPosition));
        Assert.Equal((delivered, delivered), (stored.Position, stored.DeliveredPosition));
        Assert.Single(receiver.Requests(Path, user.PlayerUuid));
    }

    /// <summary>
    /// The webhook's activation cannot read its position: the call waiting for it fails with the store's
    /// failure as a caller in another process can read it (the driver's own exception cannot be sent), and the
    /// next call, once the store answers, activates it from the stored position.
    /// </summary>
    [Fact]
    public async Task Activation_PositionReadFails_TheCallerGetsStoreUnavailableThenTheNextCallActivatesIt()
    {
        using var directory = new TempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        var consumer = WebhookEndpointOptions.ConsumerNameOf(Name);
        FaultyLedgerStore? faults = null;
        await using var cluster = await WebhookCluster.StartAsync(
            directory.Path,
            silo => silo.Services.AddSingleton(sp =>
            {
                var wrapped = FaultyLedgerStore.Wrap(sp.GetRequiredService<SqliteLedgerStore>());
                wrapped.Faults.FailPositionReads(consumer);
                faults = wrapped.Faults;
                return wrapped.Store;
            }),
            WebhookCluster.Webhook(0, Name, receiver.Url(Path)));
        var webhook = cluster.Client.GetGrain<IWebhookGrain>(Name);

        var failure = await Assert.ThrowsAsync<StoreUnavailableException>(webhook.GetStatusAsync);
        Assert.Equal($"The ledger store failed: {FaultyLedgerStore.Message}", failure.Message);

        faults!.FailPositionReads(null);
        var status = await webhook.GetStatusAsync();
        Assert.Equal((0L, 0L), (status!.Position, status.DeliveredPosition));
        Assert.Equal(0, await faults.Inner.FindConsumerPositionAsync(consumer));
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition) =>
        Poll.UntilAsync(condition, TimeSpan.FromSeconds(30), "the condition did not hold within 30 s", TimeSpan.FromMilliseconds(50));
}
