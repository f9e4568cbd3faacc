using Entitlements.Storage;
using Entitlements.Tests.Outage;
using Entitlements.Tests.Storage;
using Entitlements.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Webhooks;

/// <summary>
/// The webhook stores its position at most once per <c>Notifications:PositionWriteInterval</c>, not after each
/// notification, and always when it stops: a clean stop leaves the last delivered position stored.
/// </summary>
public sealed class WebhookPositionIntervalTests
{
    private const string Name = "interval";
    private const string Path = "/hooks/interval";
    private const int Grants = 20;

    [Fact]
    public async Task ManyDelivered_IntervalNotElapsed_WritesNoPositionUntilTheCleanStopWritesTheLast()
    {
        using var directory = new TempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = WebhookCluster.Webhook(0, Name, receiver.Url(Path), timeout: "00:00:30");
        settings["Notifications:PositionWriteInterval"] = "01:00:00";
        var consumer = WebhookEndpointOptions.ConsumerNameOf(Name);
        FaultyLedgerStore? faults = null;
        long last;
        IReadOnlyList<long> whileDelivering;
        await using (var cluster = await WebhookCluster.StartAsync(
            directory.Path,
            silo => silo.Services.AddSingleton(sp =>
            {
                var wrapped = FaultyLedgerStore.Wrap(sp.GetRequiredService<SqliteLedgerStore>());
                faults = wrapped.Faults;
                return wrapped.Store;
            }),
            settings))
        {
            var ledger = new LedgerActions(cluster.Client);
            var user = await ledger.NewPlayerAsync();
            var sku = await ledger.PutSkuAsync();
            for (var i = 0; i < Grants; i++)
            {
                await ledger.GrantAsync(user, sku);
            }

            await receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, Grants);
            last = (await ledger.NotificationsAsync(user.PlayerUuid))[^1].Position;
            whileDelivering = faults!.PositionWrites(consumer);
        }

        // Only the new webhook's starting position, written at activation; then, at the stop, the last delivered one.
        Assert.Equal([0L], whileDelivering);
        Assert.Equal([0L, last], faults.PositionWrites(consumer));
    }
}
