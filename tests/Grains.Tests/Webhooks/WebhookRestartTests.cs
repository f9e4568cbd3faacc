using Entitlements.Notifications;
using Entitlements.Tests.Storage;

namespace Entitlements.Tests.Webhooks;

/// <summary>The webhook's position is durable: a fresh cluster on the same database carries on where the last one stopped.</summary>
public sealed class WebhookRestartTests
{
    private const string Name = "restart";
    private const string Path = "/hooks/restart";

    [Fact]
    public async Task FreshCluster_SameDatabase_SendsWhatWasMissedAndNothingAcknowledged()
    {
        using var directory = new TempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = WebhookCluster.Webhook(0, Name, receiver.Url(Path), maxAttempts: 100, timeout: "00:00:30");
        Contracts.PlatformUserLink user;
        string first;
        string second;
        await using (var cluster = await WebhookCluster.StartAsync(directory.Path, settings))
        {
            var ledger = new LedgerActions(cluster.Client);
            user = await ledger.NewPlayerAsync();
            var sku = await ledger.PutSkuAsync();
            first = (await ledger.GrantAsync(user, sku)).EventId;
            await receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1);

            // The endpoint goes dark: the next notification is committed but never answered.
            receiver.StallNext(Path, user.PlayerUuid, 1);
            second = (await ledger.GrantAsync(user, sku)).EventId;
            await receiver.WaitForArrivalsAsync(Path, user.PlayerUuid, 2);
        }

        await using (var cluster = await WebhookCluster.StartAsync(directory.Path, settings))
        {
            var delivered = await receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 2);

            Assert.Equal([first, second], delivered.Select(r => r.Header(WebhookHeaders.EventId)));
            Assert.Equal(["1", "1"], delivered.Select(r => r.Header(WebhookHeaders.Attempt)));
            var feed = await new LedgerActions(cluster.Client).NotificationsAsync(user.PlayerUuid);
            Assert.Equal(feed.Select(NotificationJson.Serialize), delivered.Select(r => r.Body));
        }

        // Nothing more arrived for the player: the first notification was acknowledged before the restart.
        Assert.Equal(2, receiver.Delivered(Path, user.PlayerUuid).Count);
        Assert.Equal(3, receiver.Requests(Path, user.PlayerUuid).Count);
    }

    [Fact]
    public async Task NewWebhook_StartFromNowOrBeginning_SkipsOrDeliversTheHistory()
    {
        using var directory = new TempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        Contracts.PlatformUserLink user;
        Contracts.CatalogSku sku;
        string history;
        await using (var cluster = await WebhookCluster.StartAsync(directory.Path))
        {
            var ledger = new LedgerActions(cluster.Client);
            user = await ledger.NewPlayerAsync();
            sku = await ledger.PutSkuAsync();
            history = (await ledger.GrantAsync(user, sku)).EventId;
        }

        // A generous send timeout: under load a delivery answered after the default second would be sent
        // again (at least once), and the counts below would then see a repeat instead of the next event.
        var fromNow = WebhookCluster.Webhook(0, "from-now", receiver.Url("/hooks/now"), timeout: "00:00:30");
        fromNow["Notifications:Webhooks:0:StartFrom"] = "Now";
        var fromStart = WebhookCluster.Webhook(1, "from-start", receiver.Url("/hooks/start"), timeout: "00:00:30");
        await using (var cluster = await WebhookCluster.StartAsync(directory.Path, fromNow, fromStart))
        {
            await cluster.Client.GetGrain<IWebhookGrain>("from-now").GetStatusAsync();
            var next = (await new LedgerActions(cluster.Client).GrantAsync(user, sku)).EventId;

            var now = await receiver.WaitForDeliveredAsync("/hooks/now", user.PlayerUuid, 1);
            var start = await receiver.WaitForDeliveredAsync("/hooks/start", user.PlayerUuid, 2);

            // In ledger order, the history would have come first.
            Assert.Equal([next], now.Select(r => r.Header(WebhookHeaders.EventId)));
            Assert.Equal([history, next], start.Select(r => r.Header(WebhookHeaders.EventId)));
        }
    }
}
