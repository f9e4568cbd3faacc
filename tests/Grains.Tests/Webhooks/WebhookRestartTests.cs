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
}
