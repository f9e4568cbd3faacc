using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Notifications;

/// <summary>Heartbeats and the slow-consumer policy, on a gateway with a one-second heartbeat and a buffer of five.</summary>
public sealed class NotificationPushLimitsTests(PushLimitsFixture fixture) : IClassFixture<PushLimitsFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task PlayerWebSocket_Idle_GetsAHeartbeatFrameEverySecond()
    {
        var player = await _client.CreatePlayerAsync();
        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));

        var (first, _) = await socket.NextFrameAsync();
        var (second, _) = await socket.NextFrameAsync();

        foreach (var frame in new[] { first, second })
        {
            Assert.Equal(["heartbeat"], frame.Select(p => p.Key));
            Assert.Matches(WireTime.AccelByte(), frame["heartbeat"]!.GetValue<string>());
        }

        Assert.True(
            DateTimeOffset.Parse(second["heartbeat"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            > DateTimeOffset.Parse(first["heartbeat"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task PlayerSse_Idle_GetsAHeartbeatComment()
    {
        var player = await _client.CreatePlayerAsync();
        await using var events = await PushEventStream.OpenAsync(fixture.BaseAddress(), PushRoutes.PlayerSse(player.Uuid), fixture.PlayerToken(player.Uuid));

        var first = await events.NextAsync();
        var second = await events.NextAsync();

        Assert.Equal(new ServerSentEvent(null, null, null, []), first! with { Comments = [] });
        Assert.Equal([": heartbeat"], first.Comments);
        Assert.Equal([": heartbeat"], second!.Comments);
    }

    [Fact]
    public async Task PlayerWebSocket_ClientStopsReading_IsClosedWithPolicyViolationAndTheResumeCursor()
    {
        var player = await _client.CreatePlayerAsync();
        using var overflows = new DisconnectCounter(fixture, "overflow");
        await using var socket = await PushSocket.ConnectAsync(
            fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));

        // One notification is read first, so that the connection has sent something whatever the relay's
        // batches. Then the client reads nothing while grants are written, until the gateway has given up on
        // it: the relay hands the gateway notifications in batches, faster than one connection's sends, so
        // five pending is soon passed.
        List<string> grants = [await GemGrants.OneAsync(_client, player)];
        List<JsonObject> frames = [(await socket.NextNotificationAsync()).Json];
        grants.AddRange(await GemGrants.UntilAsync(_client, player, () => overflows.Count > 0, "the gateway did not drop the client"));
        frames.AddRange(await socket.ReadUntilCloseAsync());

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.Socket.CloseStatus);
        var last = frames[^1]["cursor"]!.GetValue<string>();
        Assert.Equal($"slow consumer: over {PushLimitsFixture.BufferSize} notifications pending; resume with after={last}", socket.Socket.CloseStatusDescription);
        Assert.Equal(grants.Take(frames.Count), frames.Select(f => f["event_id"]!.GetValue<string>()));

        // The cursor in the reason resumes exactly where the client was dropped.
        await using var resumed = await PushSocket.ConnectAsync(fixture.BaseAddress(), $"{PushRoutes.PlayerWebSocket(player.Uuid)}?after={last}", fixture.PlayerToken(player.Uuid));
        var rest = await resumed.ReadUntilAsync(f => f["event_id"]!.GetValue<string>() == grants[^1]);
        Assert.Equal(grants.Skip(frames.Count), rest.Select(f => f["event_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task PlayerSse_ClientStopsReading_GetsAnErrorEventWithTheReasonAndTheResponseEnds()
    {
        var player = await _client.CreatePlayerAsync();
        using var overflows = new DisconnectCounter(fixture, "overflow");
        await using var events = await PushEventStream.OpenAsync(
            fixture.BaseAddress(), PushRoutes.PlayerSse(player.Uuid), fixture.PlayerToken(player.Uuid));

        List<string> grants = [await GemGrants.OneAsync(_client, player)];
        List<ServerSentEvent> received = [await events.NextEventAsync()];
        grants.AddRange(await GemGrants.UntilAsync(_client, player, () => overflows.Count > 0, "the gateway did not drop the client"));
        ServerSentEvent next;
        while ((next = await events.NextEventAsync()).Event != "error")
        {
            received.Add(next);
        }

        Assert.Equal($"slow consumer: over {PushLimitsFixture.BufferSize} notifications pending; resume with after={received[^1].Id}", next.Json["reason"]!.GetValue<string>());
        Assert.Equal(["reason"], next.Json.Select(p => p.Key));
        Assert.Null(next.Id);
        Assert.Null(await events.NextAsync());

        // Each grant adds 100 gems: the balances show the events came in ledger order, none missing.
        Assert.Equal(
            Enumerable.Range(1, received.Count).Select(i => 100L * i),
            received.Select(e => e.Json["payload"]!["data"]![0]!["useCount"]!.GetValue<long>()));
        await using var resumed = await PushEventStream.OpenAsync(
            fixture.BaseAddress(), $"{PushRoutes.PlayerSse(player.Uuid)}?after={received[^1].Id}", fixture.PlayerToken(player.Uuid));
        Assert.Equal(100L * (received.Count + 1), (await resumed.NextEventAsync()).Json["payload"]!["data"]![0]!["useCount"]!.GetValue<long>());
        Assert.True(grants.Count > received.Count, $"{grants.Count} grants, {received.Count} received");
    }
}
