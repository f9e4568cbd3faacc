using System.Diagnostics.Metrics;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Outage;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;

namespace Entitlements.Tests.Webhooks;

/// <summary>The webhook gauges of the silo that hosts the webhook: where it has delivered through, how far behind it is, and for how long.</summary>
public sealed class WebhookMetricsTests
{
    private const string Name = "metrics";
    private const string Path = "/hooks/metrics";

    [Fact]
    public async Task Gauges_EndpointFailsThenRecovers_ReportTheBacklogAndItsAgeThenZero()
    {
        using var directory = new TempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var cluster = await WebhookCluster.StartAsync(
            directory.Path, WebhookCluster.Webhook(0, Name, receiver.Url(Path), maxAttempts: 10_000, maxBackoff: "00:00:00.200"));
        using var gauges = new WebhookGauges(cluster.Silos[0].ServiceProvider.GetRequiredService<IMeterFactory>(), Name);
        var ledger = new LedgerActions(cluster.Client);
        var user = await ledger.NewPlayerAsync();
        var sku = await ledger.PutSkuAsync();

        await ledger.GrantAsync(user, sku);
        await receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1);
        var first = Assert.Single(await ledger.NotificationsAsync(user.PlayerUuid)).Position;
        var caughtUp = await WaitForAsync(gauges, g => g.GetValueOrDefault(WebhookGauges.DeliveredPosition) == first);
        Assert.Equal((first, 0d, 0d), Values(caughtUp));

        // The endpoint answers 503 to everything: the next notification is retried, the two after it wait.
        receiver.FailNext(Path, user.PlayerUuid, 100_000, 503);
        await ledger.GrantAsync(user, sku);
        await ledger.GrantAsync(user, sku);
        await ledger.GrantAsync(user, sku);
        var feed = await ledger.NotificationsAsync(user.PlayerUuid);
        await receiver.WaitForArrivalsAsync(Path, user.PlayerUuid, 3);
        await WaitForAsync(gauges, g => g.GetValueOrDefault(WebhookGauges.Backlog) == 3);
        var before = DateTimeOffset.UtcNow - feed[1].RecordedAt!.Value;
        var behind = gauges.Read();
        var after = DateTimeOffset.UtcNow - feed[1].RecordedAt!.Value;

        Assert.Equal((first, 3d), (Values(behind).Delivered, Values(behind).Backlog));
        Assert.InRange(behind[WebhookGauges.OldestUndeliveredAge], before.TotalSeconds, after.TotalSeconds);

        // It recovers: all delivered, nothing behind, nothing being delivered.
        receiver.Clear(Path, user.PlayerUuid);
        await receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 4);
        var recovered = await WaitForAsync(gauges, g => g.GetValueOrDefault(WebhookGauges.DeliveredPosition) == feed[3].Position);
        Assert.Equal((feed[3].Position, 0d, 0d), Values(recovered));
    }

    /// <summary>
    /// The gauges are the live activation's: once the webhook's activation ends, its silo reports nothing for it (a
    /// stale value would stand for a webhook that no longer runs there); its next activation reports it again.
    /// </summary>
    [Fact]
    public async Task Gauges_WebhookDeactivated_StopReportingItUntilItIsActiveAgain()
    {
        using var directory = new TempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = WebhookCluster.Webhook(0, Name, receiver.Url(Path));

        // No keep-alive wakes the webhook (and activates it again) while the test looks.
        settings["Notifications:KeepAliveInterval"] = "00:00:00";
        await using var cluster = await WebhookCluster.StartAsync(directory.Path, settings);
        using var gauges = new WebhookGauges(cluster.Silos[0].ServiceProvider.GetRequiredService<IMeterFactory>(), Name);
        var webhook = cluster.Client.GetGrain<IWebhookGrain>(Name);
        var ledger = new LedgerActions(cluster.Client);
        var user = await ledger.NewPlayerAsync();
        var sku = await ledger.PutSkuAsync();
        await ledger.GrantAsync(user, sku);
        await receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1);
        var first = Assert.Single(await ledger.NotificationsAsync(user.PlayerUuid)).Position;
        await WaitForAsync(gauges, g => g.GetValueOrDefault(WebhookGauges.DeliveredPosition) == first);

        await webhook.Cast<IGrainManagementExtension>().DeactivateOnIdle();

        await WaitForAsync(gauges, g => g.Count == 0);
        Assert.Empty(gauges.Read());

        // Active again (a status call activates it): reported again, from the position the last activation stored.
        Assert.Equal(first, (await webhook.GetStatusAsync())!.DeliveredPosition);
        Assert.Equal((first, 0d, 0d), Values(gauges.Read()));
    }

    /// <summary>
    /// The webhook delivered a notification and its next feed read fails, so its pump stops until the next poll: the
    /// age gauge keeps reporting the oldest undelivered notification, the one after it, which the webhook had read
    /// with the batch (one more than <c>BatchSize</c>). It read 0 there, as if caught up, while the reads kept failing.
    /// </summary>
    [Fact]
    public async Task OldestUndeliveredAge_FeedReadFailsAfterADelivery_ReportsTheNextNotificationsAge()
    {
        using var directory = new TempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = WebhookCluster.Webhook(0, Name, receiver.Url(Path), maxAttempts: 10_000, maxBackoff: "00:00:00.200");
        settings["Notifications:BatchSize"] = "1";
        await using var cluster = await WebhookCluster.StartAsync(
            directory.Path,
            silo => silo.Services.AddSingleton(sp => FaultyLedgerStore.Wrap(sp.GetRequiredService<SqliteLedgerStore>()).Store),
            settings);
        var services = cluster.Silos[0].ServiceProvider;
        var faults = (FaultyLedgerStore)(object)services.GetRequiredService<ILedgerStore>();
        var running = services.GetRequiredService<IGrainContextAccessor>();
        using var gauges = new WebhookGauges(services.GetRequiredService<IMeterFactory>(), Name);
        var webhook = cluster.Client.GetGrain<IWebhookGrain>(Name);
        var ledger = new LedgerActions(cluster.Client);
        var user = await ledger.NewPlayerAsync();
        var sku = await ledger.PutSkuAsync();

        // Only the webhook's feed reads fail (the relay's go on). While they do, three notifications are committed; then
        // its first read that succeeds holds all three, and it delivers the first: the endpoint answers 503 for now.
        var webhookId = webhook.GetGrainId();
        Func<bool> webhookReads = () => running.GrainContext?.GrainId == webhookId;
        await webhook.GetStatusAsync();
        faults.FailFeedReads(webhookReads);
        receiver.FailNext(Path, user.PlayerUuid, 100_000, 503);
        await ledger.GrantAsync(user, sku);
        await ledger.GrantAsync(user, sku);
        await ledger.GrantAsync(user, sku);
        var feed = await ledger.NotificationsAsync(user.PlayerUuid);
        faults.FailFeedReads(null);
        await receiver.WaitForArrivalsAsync(Path, user.PlayerUuid, 1);

        // The reads fail again; the endpoint recovers: the first is delivered, the read after it fails, the pump stops.
        faults.FailFeedReads(webhookReads);
        var refusedBefore = faults.RefusedFeedReads;
        receiver.Clear(Path, user.PlayerUuid);
        await receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1);
        await Poll.UntilAsync(() => faults.RefusedFeedReads > refusedBefore, TimeSpan.FromSeconds(30), "the webhook read the feed no more after its delivery");
        var before = DateTimeOffset.UtcNow - feed[1].RecordedAt!.Value;
        var stopped = gauges.Read();
        var after = DateTimeOffset.UtcNow - feed[1].RecordedAt!.Value;

        Assert.Equal(feed[0].Position, stopped[WebhookGauges.DeliveredPosition]);
        Assert.InRange(stopped[WebhookGauges.OldestUndeliveredAge], before.TotalSeconds, after.TotalSeconds);

        // The reads recover: the rest is delivered, and the gauges show it caught up.
        faults.FailFeedReads(null);
        await receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 3);
        var caughtUp = await WaitForAsync(gauges, g => g.GetValueOrDefault(WebhookGauges.DeliveredPosition) == feed[2].Position);
        Assert.Equal((feed[2].Position, 0d, 0d), Values(caughtUp));
    }

    private static (double Delivered, double Backlog, double Age) Values(IReadOnlyDictionary<string, double> read) =>
        (read[WebhookGauges.DeliveredPosition], read[WebhookGauges.Backlog], read[WebhookGauges.OldestUndeliveredAge]);

    private static async Task<IReadOnlyDictionary<string, double>> WaitForAsync(WebhookGauges gauges, Func<IReadOnlyDictionary<string, double>, bool> condition)
    {
        IReadOnlyDictionary<string, double> read = new Dictionary<string, double>();
        await Poll.UntilAsync(
            () => condition(read = gauges.Read()),
            TimeSpan.FromSeconds(30),
            () => $"the webhook gauges did not reach the values within 30 s; last read: {string.Join(", ", read.Select(r => $"{r.Key}={r.Value}"))}",
            TimeSpan.FromMilliseconds(50));
        return read;
    }
}
