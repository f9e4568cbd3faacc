using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Notifications;

namespace Entitlements.Tests.Cluster;

/// <summary>Two silos and two gateways as separate processes: one ledger, one notification stream, whichever gateway is asked.</summary>
[Collection(ScriptedClusterGroup.Name)]
public sealed class MultiSiloTests(ScriptedCluster cluster)
{
    [Fact]
    public async Task GrantThroughGatewayA_IsVisibleThroughGatewayB()
    {
        var player = await cluster.Gateway(1).CreatePlayerAsync();
        var grant = await cluster.Gateway(1).PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"), quantity: 3));

        var entitlements = await cluster.Gateway(2).EntitlementsOkAsync(player.Uuid);
        var listed = await cluster.Gateway(2).ListEventsOkAsync($"?player_uuid={player.Uuid}");

        var entitlement = Assert.Single(entitlements)!.AsObject();
        Assert.Equal("gems", entitlement["itemId"]!.GetValue<string>());
        Assert.Equal(300, entitlement["useCount"]!.GetValue<long>());
        JsonAssert.Equal(new JsonArray(grant.DeepClone()), listed["events"]!);
    }

    [Fact]
    public async Task GrantThroughGatewayA_ReachesAWebSocketOnGatewayB()
    {
        var player = await cluster.Gateway(1).CreatePlayerAsync();
        var token = cluster.Issuer.Mint([], player.Uuid, TimeSpan.FromHours(1));
        await using var socket = await PushSocket.ConnectAsync(cluster.GatewayAddress(2), PushRoutes.PlayerWebSocket(player.Uuid), token);

        var grant = await cluster.Gateway(1).PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        var (frame, _) = await socket.NextNotificationAsync();
        Assert.Equal(ExpectedEvent.Id(grant), frame["event_id"]!.GetValue<string>());
        Assert.Equal(player.Uuid.ToString(), frame["player_uuid"]!.GetValue<string>());
        Assert.Equal("entitlementUpdated", frame["name"]!.GetValue<string>());
    }

    /// <summary>
    /// The gateways subscribe to the notification stream once, at start; the subscription lives in the
    /// PubSubStore grain storage in PostgreSQL. Both silos are killed and started again, so nothing of
    /// the stream is left in memory, and a new WebSocket on gateway B still gets a grant made through
    /// gateway A: on the subscription gateway B made at its start, or on the one it made again when it found
    /// that the stream had dropped the first (and then it says so in its log).
    /// </summary>
    [Fact]
    public async Task StreamSubscription_OutlivesKillingAndRestartingEverySilo()
    {
        const string Subscribed = "Subscribed to every player's notifications";
        var stored = await cluster.QueryAsync<long>(
            "SELECT count(*) FROM orleans_grain_state WHERE state_name = 'PubSubRendezvousGrain' AND grain_key_string LIKE 'Notifications/allPlayers/%' AND payload IS NOT NULL");
        Assert.Equal(1, stored);
        Assert.Equal(1, Occurrences(cluster.Log("gateway-2"), Subscribed));

        for (var silo = 1; silo <= ScriptedCluster.Silos; silo++)
        {
            cluster.KillSilo(silo);
        }

        for (var silo = 1; silo <= ScriptedCluster.Silos; silo++)
        {
            await cluster.StartSiloAsync(silo);
        }

        // A pulling agent that reaches for gateway B before B has reconnected drops B's subscription for good
        // (Orleans logs "permanently removing Consumer"); B notices at its next check, ends its connections
        // and subscribes again. Either way, a grant through A soon reaches a WebSocket on B.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (!await GrantReachesGatewayBAsync())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "no grant through gateway A reached a WebSocket on gateway B within 60 s of the restart");
        }

        var log = cluster.Log("gateway-2");
        var dropped = Occurrences(log, "The notification stream dropped this gateway's subscription");
        Assert.InRange(dropped, 0, 1);
        Assert.Equal(1 + dropped, Occurrences(log, Subscribed));
    }

    /// <summary>A new player's WebSocket on gateway B, a grant through gateway A: true when B delivered it within 10 s.</summary>
    private async Task<bool> GrantReachesGatewayBAsync()
    {
        var player = await RetryAsync(() => cluster.Gateway(1).CreatePlayerAsync());
        await using var socket = await RetryAsync(() => PushSocket.ConnectAsync(
            cluster.GatewayAddress(2), PushRoutes.PlayerWebSocket(player.Uuid), cluster.Issuer.Mint([], player.Uuid, TimeSpan.FromHours(1))));
        var transaction = Unique.Name("tx");
        var grant = await RetryAsync(() => cluster.Gateway(1).PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", transaction)));
        try
        {
            var (frame, _) = await socket.NextNotificationAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(ExpectedEvent.Id(grant), frame["event_id"]!.GetValue<string>());
            return true;
        }
        catch (Exception exception) when (exception is TimeoutException or System.Net.WebSockets.WebSocketException or Xunit.Sdk.TrueException)
        {
            // Not delivered, or the connection was ended because the subscription was being restored.
            return false;
        }
    }

    private static int Occurrences(string text, string what) => text.Split(what).Length - 1;

    /// <summary>Right after silos come back, a gateway may still be reconnecting: try for up to 30 s.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception) when (DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
    }
}
