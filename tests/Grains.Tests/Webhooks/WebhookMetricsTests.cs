using System.Diagnostics.Metrics;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

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
