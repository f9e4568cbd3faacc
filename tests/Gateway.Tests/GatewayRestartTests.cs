using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests;

/// <summary>The real gateway process killed and started again on the same data directory loses nothing.</summary>
public sealed class GatewayRestartTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly List<GatewayProcess> _processes = [];

    [Fact]
    public async Task Gateway_KilledAndRestartedOnTheSameData_AnswersExactlyAsBefore()
    {
        var first = await StartAsync();
        var client = first.Client;
        var player = await client.CreatePlayerAsync();
        var gemsTransaction = Unique.Name("tx");
        var grant = EventRequests.Grant(player.PlatformUserId, "gems_100", gemsTransaction, quantity: 3);
        var grantBody = await client.PostEventAsync(grant);
        await client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", Unique.Name("tx")));
        await client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "credits_500", Unique.Name("tx")));
        await client.ConsumeOkAsync(player.Uuid, "credits", 120);
        await client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "gems_100", gemsTransaction, quantity: 3));
        await client.PostEventOkAsync(EventRequests.Grant(Unique.Name("unlinked"), "gems_100", Unique.Name("tx")));
        var before = await SnapshotAsync(client, player);
        Assert.Equal(HttpStatusCode.OK, grantBody.Status);
        Assert.Equal(4, JsonNode.Parse(before.PlayerEvents)!["events"]!.AsArray().Count);
        Assert.Equal(3, JsonNode.Parse(before.Entitlements)!["data"]!.AsArray().Count);

        first.Kill();
        var second = await StartAsync();

        var after = await SnapshotAsync(second.Client, player);
        Assert.Equal(before, after);
        var replay = await second.Client.PostEventAsync(grant);
        Assert.Equal(grantBody.ToString(), replay.ToString());
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        _data.Dispose();
    }

    private async Task<GatewayProcess> StartAsync()
    {
        var process = await GatewayProcess.StartAsync(_data.Path);
        _processes.Add(process);
        return process;
    }

    private static async Task<Snapshot> SnapshotAsync(HttpClient client, Player player)
    {
        var all = await client.GetApiAsync(GatewayHttp.EventsPath);
        var mine = await client.GetApiAsync($"{GatewayHttp.EventsPath}?player_uuid={player.Uuid}");
        var entitlements = await client.GetEntitlementsAsync(player.Uuid);
        var link = await client.GetApiAsync($"/users/v1/platform-user?platform=Steam&platform_user_id={player.PlatformUserId}");
        Assert.All([all, mine, entitlements, link], r => Assert.Equal(HttpStatusCode.OK, r.Status));
        return new Snapshot(all.Body, mine.Body, entitlements.Body, entitlements.Headers.ETag?.ToString(), link.Body);
    }

    private sealed record Snapshot(string AllEvents, string PlayerEvents, string Entitlements, string? EntitlementsETag, string Link);
}
