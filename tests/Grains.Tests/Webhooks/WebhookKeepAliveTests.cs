using Entitlements.Notifications;
using Entitlements.Tests.Storage;
using Orleans.Core.Internal;

namespace Entitlements.Tests.Webhooks;

/// <summary>
/// A webhook whose activation went away (its silo died) while a delivery waited for its retry is
/// activated again by the silos' keep-alive, also when nothing else is appended, and delivers from its
/// stored position. Only a new publish of the relay used to wake it.
/// </summary>
public sealed class WebhookKeepAliveTests
{
    private const string Name = "keep-alive";
    private const string Path = "/hooks/keep-alive";

    [Fact]
    public async Task WebhookDeactivatedDuringItsBackoff_IsWokenAgainAndDelivers()
    {
        using var directory = new TempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = WebhookCluster.Webhook(0, Name, receiver.Url(Path), maxAttempts: 5, maxBackoff: "00:10:00", timeout: "00:00:30");
        settings["Notifications:Webhooks:0:InitialBackoff"] = "00:10:00";
        settings["Notifications:KeepAliveInterval"] = "00:00:00.200";
        await using var cluster = await WebhookCluster.StartAsync(directory.Path, settings);
        var ledger = new LedgerActions(cluster.Client);
        var user = await ledger.NewPlayerAsync();
        var sku = await ledger.PutSkuAsync();

        // The first attempt fails: the next one is ten minutes away.
        receiver.FailNext(Path, user.PlayerUuid, 1, 503);
        var grant = (await ledger.GrantAsync(user, sku)).EventId;
        await receiver.WaitForArrivalsAsync(Path, user.PlayerUuid, 1);

        // The activation goes, as with its silo; nothing more is appended, so the relay wakes nobody.
        await cluster.Client.GetGrain<IWebhookGrain>(Name).Cast<IGrainManagementExtension>().DeactivateOnIdle();

        var delivered = Assert.Single(await receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1, TimeSpan.FromSeconds(20)));
        Assert.Equal(grant, delivered.Header(WebhookHeaders.EventId));
        Assert.Equal([503, 200], receiver.Requests(Path, user.PlayerUuid).Select(r => r.Status));
    }
}
