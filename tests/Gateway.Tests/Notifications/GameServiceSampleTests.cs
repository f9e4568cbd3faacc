using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

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

        var lines = await service.WaitForNotificationsAsync(player.Uuid, 4);
        Assert.Equal(
            [("entitlementUpdated", 1L, "grant", 200L), ("entitlementUpdated", 2L, "consume", 150L), ("entitlementUpdated", 3L, "revoke", 0L)],
            lines.Take(3).Select(l => ((string)l["name"]!, (long)l["version"]!, (string)l["message"]!["payload"]!["action"]!, (long)l["message"]!["payload"]!["data"]![0]!["useCount"]!)));
        Assert.Equal((string?)grant["event_id"], (string?)lines[0]["event_id"]);
        var revocation = lines[3];
        Assert.Equal(("revocationCompleted", (string?)refund["event_id"]), ((string)revocation["name"]!, (string?)revocation["event_id"]));
        Assert.Equal((string?)refund["event_id"], (string?)revocation["message"]!["id"]);
        var skipped = revocation["message"]!["payload"]!["entitlementRevocations"]!.AsArray().Select(r => ((long)r!["quantity"]!, (bool)r["skipped"]!));
        Assert.Equal([(150L, false), (50L, true)], skipped);
        Assert.Equal(4, lines.Count);
    }

    [Fact]
    public async Task GatewayKilledRightAfterAGrant_GameServiceResumingAfterRestart_ReceivesItOnce()
    {
        var first = await StartGatewayAsync();
        var player = await first.Client.CreatePlayerAsync();
        var grant = await first.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", Unique.Name("tx")));
        first.Kill();

        var second = await StartGatewayAsync();
        var service = Track(await GameServiceProcess.StartAsync(second, after: "start"));
        var later = await second.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        var lines = await service.WaitForNotificationsAsync(player.Uuid, 2);
        Assert.Equal(
            [((string?)grant["event_id"], 1L), ((string?)later["event_id"], 2L)],
            lines.Select(l => ((string?)l["event_id"], (long)l["version"]!)));
        Assert.Equal("season_pass", (string?)lines[0]["message"]!["payload"]!["data"]![0]!["sku"]);
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
