using Entitlements.Notifications;
using Entitlements.Storage;
using Entitlements.Tests.Outage;
using Entitlements.Tests.Storage;
using Entitlements.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Webhooks;

/// <summary>
/// A notification that has used every attempt while the dead letter cannot be written: only the write is
/// tried again, never the sends, and the dead letter keeps the attempts that were made.
/// </summary>
public sealed class WebhookDeadLetterWriteFailureTests
{
    private const string Name = "dead-letter-outage";
    private const string Path = "/hooks/dead-letter-outage";

    [Fact]
    public async Task DeadLetterWrite_FailsTwice_WritesItWithoutSendingAgainThenDeliversTheNext()
    {
        using var directory = new TempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var cluster = await WebhookCluster.StartAsync(
            directory.Path,
            silo => silo.Services.AddSingleton(sp => FaultyLedgerStore.Wrap(sp.GetRequiredService<SqliteLedgerStore>()).Store),
            WebhookCluster.Webhook(0, Name, receiver.Url(Path), maxAttempts: 2));
        var faults = (FaultyLedgerStore)(object)cluster.Silos[0].ServiceProvider.GetRequiredService<ILedgerStore>();
        var ledger = new LedgerActions(cluster.Client);
        var user = await ledger.NewPlayerAsync();
        var sku = await ledger.PutSkuAsync();
        receiver.FailNext(Path, user.PlayerUuid, 2, 500);
        faults.FailDeadLetterWrites(2);

        var first = await ledger.GrantAsync(user, sku);
        var second = await ledger.GrantAsync(user, sku);

        var delivered = Assert.Single(await receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1));
        Assert.Equal(second.EventId, delivered.Header(WebhookHeaders.EventId));
        var requests = receiver.Requests(Path, user.PlayerUuid);
        Assert.Equal([500, 500, 200], requests.Select(r => r.Status));
        Assert.Equal([(first.EventId, "1"), (first.EventId, "2"), (second.EventId, "1")], requests.Select(r => (r.Header(WebhookHeaders.EventId), r.Header(WebhookHeaders.Attempt))));
        Assert.Equal(0, faults.DeadLetterFailuresLeft);
        var letters = await cluster.Client.GetGrain<IWebhookGrain>(Name).ListDeadLettersAsync(0, 10);
        var letter = Assert.Single(letters.DeadLetters);
        var feed = await ledger.NotificationsAsync(user.PlayerUuid);
        Assert.Equal(
            new WebhookDeadLetter
            {
                Id = letter.Id,
                Webhook = Name,
                Position = feed[0].Position,
                EventId = first.EventId,
                PlayerUuid = user.PlayerUuid,
                Kind = NotificationKind.EntitlementUpdated,
                Attempts = 2,
                LastError = "HTTP 500",
                Failed = letter.Failed,
                Replayed = null,
            },
            letter);
    }
}
