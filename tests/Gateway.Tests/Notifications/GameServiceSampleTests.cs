using System.Text.Json.Nodes;
using Entitlements.Notifications;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Streams.Core;
using Orleans.Streams.PubSub;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// The sample in-cluster game service, a real Orleans client process, follows the notifications of a
/// real gateway process: every change once, in ledger order, also across a crash of the gateway.
/// </summary>
public sealed class GameServiceSampleTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly List<IDisposable> _processes = [];

    [Fact]
    public async Task GameService_FollowingLive_PrintsEachChangeOnceInLedgerOrder()
    {
        var gateway = await StartGatewayAsync();
        var service = Track(await GameServiceProcess.StartAsync(gateway));
        var client = gateway.Client;
        var player = await client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");

        var grant = await client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", transaction, quantity: 2));
        await client.ConsumeOkAsync(player.Uuid, "gems", 50);
        var refund = await client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "gems_100", transaction));

        // One more change after those: once its line is printed, every earlier line has had its chance to
        // come twice, so a count of five shows each change printed once.
        await service.WaitForNotificationAsync(player.Uuid, (string?)refund["event_id"], "revocationCompleted");
        var after = await client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var lines = await service.WaitForNotificationAsync(player.Uuid, (string?)after["event_id"]);
        Assert.Equal(
            [("entitlementUpdated", 1L, "grant", 200L), ("entitlementUpdated", 2L, "consume", 150L), ("entitlementUpdated", 3L, "revoke", 0L)],
            lines.Take(3).Select(l => ((string)l["name"]!, (long)l["version"]!, (string)l["message"]!["payload"]!["action"]!, (long)l["message"]!["payload"]!["data"]![0]!["useCount"]!)));
        Assert.Equal((string?)grant["event_id"], (string?)lines[0]["event_id"]);
        var revocation = lines[3];
        Assert.Equal(("revocationCompleted", (string?)refund["event_id"]), ((string)revocation["name"]!, (string?)revocation["event_id"]));
        Assert.Equal((string?)refund["event_id"], (string?)revocation["message"]!["id"]);
        var skipped = revocation["message"]!["payload"]!["entitlementRevocations"]!.AsArray().Select(r => ((long)r!["quantity"]!, (bool)r["skipped"]!));
        Assert.Equal([(150L, false), (50L, true)], skipped);
        Assert.Equal(("entitlementUpdated", (string?)after["event_id"], 4L), ((string)lines[4]["name"]!, (string?)lines[4]["event_id"], (long)lines[4]["version"]!));
        Assert.Equal(5, lines.Count);
    }

    /// <summary>
    /// The service handles a grant and is stopped, another grant reaches the ledger, and the gateway is
    /// killed right after it. Both start again, the service with <c>GameService:After</c> set to the cursor
    /// of the last line it printed: it prints the grant it missed and nothing before it, once.
    /// </summary>
    [Fact]
    public async Task GatewayKilledRightAfterAGrant_GameServiceResumingAfterItsLastCursor_PrintsOnlyTheLaterNotificationsOnce()
    {
        var first = await StartGatewayAsync();
        var firstService = Track(await GameServiceProcess.StartAsync(first));
        var player = await first.Client.CreatePlayerAsync();
        var handled = await first.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var cursor = (string?)(await firstService.WaitForNotificationAsync(player.Uuid, (string?)handled["event_id"]))[^1]["cursor"];
        Assert.False(string.IsNullOrEmpty(cursor), "the line has no cursor");
        firstService.Dispose();
        var missed = await first.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", Unique.Name("tx")));
        first.Kill();

        var second = await StartGatewayAsync();
        var service = Track(await GameServiceProcess.StartAsync(second, after: cursor));
        // One more grant after the missed one: once its line is printed, a second copy of anything earlier
        // has had its chance to come first.
        var marker = await second.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        var lines = await service.WaitForNotificationAsync(player.Uuid, (string?)marker["event_id"]);
        Assert.Equal(
            [((string?)missed["event_id"], 2L), ((string?)marker["event_id"], 3L)],
            lines.Select(l => ((string?)l["event_id"], (long)l["version"]!)));
        Assert.Equal("season_pass", (string?)lines[0]["message"]!["payload"]!["data"]![0]!["sku"]);
    }

    /// <summary>
    /// The stream can lose notifications (a silo that held them in its queue died). Here the relay is off,
    /// so the stream carries only what the test puts there: three grants reach the ledger, and the test
    /// publishes the second and then the third, each saying what the relay had published before it. The
    /// second follows the first, which the service never got: it reads the first from the ledger, and
    /// prints each grant once, in order.
    /// </summary>
    [Fact]
    public async Task GameService_NotificationAfterAGap_ReadsWhatTheStreamLostFromTheLedger()
    {
        var gateway = Track(await GatewayProcess.StartAsync(_data.Path, settings: new Dictionary<string, string> { ["Notifications:RelayEnabled"] = "false" }));
        var service = Track(await GameServiceProcess.StartAsync(gateway));
        var player = await gateway.Client.CreatePlayerAsync();
        var grants = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            grants.Add((string?)(await gateway.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))))["event_id"]);
        }

        using var host = await OrleansClientAsync(gateway);
        var cluster = host.Services.GetRequiredService<IClusterClient>();
        var ledger = (await cluster.GetGrain<INotificationFeedGrain>(0).ReadAsync(new NotificationQuery(player.Uuid, 0, 10))).Notifications;
        Assert.Equal(grants, ledger.Select(n => (string?)n.EventId));
        var stream = cluster.GetStreamProvider(NotificationStreams.ProviderName).GetStream<EntitlementNotification>(NotificationStreams.AllPlayers);
        await stream.OnNextAsync(ledger[1] with { PublishedAfter = ledger[0].Position });
        await stream.OnNextAsync(ledger[2] with { PublishedAfter = ledger[1].Position });

        var lines = await service.WaitForNotificationAsync(player.Uuid, grants[2]);
        Assert.Equal(grants, lines.Select(l => (string?)l["event_id"]));
        Assert.Equal([1L, 2L, 3L], lines.Select(l => (long)l["version"]!));
    }

    /// <summary>
    /// The stream can drop a subscription without telling the subscriber (a pulling agent that cannot reach a
    /// client removes it for good). Here another client of the cluster removes the service's subscription at the
    /// stream's rendezvous, and a grant made then reaches nobody on the stream. The service notices at its next
    /// check, subscribes again, reads the grant from the ledger, and prints it once; stopped, it removes the new
    /// subscription.
    /// </summary>
    [Fact]
    public async Task GameService_SubscriptionDroppedBehindItsBack_SubscribesAgain_AndPrintsWhatCameMeanwhileOnce()
    {
        var gateway = await StartGatewayAsync();
        using var host = await OrleansClientAsync(gateway);
        var subscriptions = SubscriptionManager(host);
        await Poll.UntilAsync(async () => (await AllPlayersSubscriptionsAsync(subscriptions)).Count > 0, TimeSpan.FromSeconds(30), "the gateway did not subscribe");
        var gatewayOwn = (await AllPlayersSubscriptionsAsync(subscriptions)).Select(s => s.GrainId).ToHashSet();
        var service = Track(await GameServiceProcess.StartAsync(gateway));
        var player = await gateway.Client.CreatePlayerAsync();
        var servicesOwn = Assert.Single(await AllPlayersSubscriptionsAsync(subscriptions), s => !gatewayOwn.Contains(s.GrainId));
        await subscriptions.RemoveSubscription(NotificationStreams.ProviderName, NotificationStreams.AllPlayers, servicesOwn.SubscriptionId);

        var grant = (string?)(await gateway.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))))["event_id"];
        await service.WaitForNotificationAsync(player.Uuid, grant);

        // One more grant after it: once its line is printed, a second copy of the first has had its chance to come.
        var marker = (string?)(await gateway.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))))["event_id"];
        var lines = await service.WaitForNotificationAsync(player.Uuid, marker);
        Assert.Equal([(grant, 1L), (marker, 2L)], lines.Select(l => ((string?)l["event_id"], (long)l["version"]!)));

        // The service holds one subscription again, a new one.
        var renewed = Assert.Single(await AllPlayersSubscriptionsAsync(subscriptions), s => s.GrainId == servicesOwn.GrainId);
        Assert.NotEqual(servicesOwn.SubscriptionId, renewed.SubscriptionId);

        // Stopped, it takes that new subscription off the stream, and exits cleanly.
        service.Terminate();
        await service.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(service.ExitCode == 0, $"exit code {service.ExitCode}:\n{string.Join('\n', service.Errors)}");
        Assert.DoesNotContain(await AllPlayersSubscriptionsAsync(subscriptions), s => s.GrainId == servicesOwn.GrainId);
    }

    /// <summary>
    /// The cluster goes away (the gateway and its co-hosted silo are killed) and the service is then asked to
    /// stop: it cannot take its subscription off the stream any more, says so in its log and exits 0, rather
    /// than letting the failed unsubscribe escape its shutdown.
    /// </summary>
    [Fact]
    public async Task GameService_StoppedAfterTheClusterIsGone_LogsTheFailedUnsubscribeAndExitsCleanly()
    {
        var gateway = await StartGatewayAsync();
        var service = Track(await GameServiceProcess.StartAsync(gateway));
        gateway.Kill();

        service.Terminate();
        await service.WaitForExitAsync(TimeSpan.FromSeconds(90));

        var log = string.Join('\n', service.Errors);
        Assert.True(service.ExitCode == 0, $"exit code {service.ExitCode}:\n{log}");
        Assert.True(
            service.Errors.Count(line => line.Trim() == "Could not unsubscribe from the notification stream while stopping; the stream drops a subscription whose client it cannot reach") == 1,
            log);
        Assert.False(service.Errors.Any(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)), log);
    }

    private static IStreamSubscriptionManager SubscriptionManager(IHost host)
    {
        var provider = host.Services.GetRequiredService<IClusterClient>().GetStreamProvider(NotificationStreams.ProviderName);
        Assert.True(provider.TryGetStreamSubscriptionManager(out var manager), "the stream provider has no subscription manager");
        return manager;
    }

    /// <summary>Every client's subscription to the all-players stream, as the stream's rendezvous holds them.</summary>
    private static async Task<List<StreamSubscription>> AllPlayersSubscriptionsAsync(IStreamSubscriptionManager subscriptions) =>
        [.. await subscriptions.GetSubscriptions(NotificationStreams.ProviderName, NotificationStreams.AllPlayers)];

    /// <summary>An Orleans client of the gateway's co-hosted silo, as an in-cluster service connects.</summary>
    private static async Task<IHost> OrleansClientAsync(GatewayProcess gateway)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client
            .UseLocalhostClustering(gateway.OrleansGatewayPort, serviceId: "entitlements", clusterId: gateway.ClusterId)
            .AddMemoryStreams(NotificationStreams.ProviderName));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        _data.Dispose();
    }

    private async Task<GatewayProcess> StartGatewayAsync() => Track(await GatewayProcess.StartAsync(_data.Path));

    private T Track<T>(T process) where T : IDisposable
    {
        _processes.Add(process);
        return process;
    }
}
