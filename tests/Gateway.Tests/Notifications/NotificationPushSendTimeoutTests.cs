using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// The other half of the slow-consumer policy: a client that stops reading while the gateway still has
/// room to buffer for it is dropped when one send cannot complete within <c>SendTimeoutSeconds</c> (five
/// seconds here). Its TCP receive buffer is kept small, so its unread notifications fill the connection
/// after a few hundred.
/// </summary>
public sealed class NotificationPushSendTimeoutTests(PushSendTimeoutFixture fixture) : IClassFixture<PushSendTimeoutFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task PlayerWebSocket_ClientStopsReading_IsAbortedWhenASendTimesOutAndResumesFromWhatItRead()
    {
        var player = await _client.CreatePlayerAsync();
        using var timeouts = new DisconnectCounter(fixture, "send_timeout");
        using var overflows = new DisconnectCounter(fixture, "overflow");
        await using var socket = await PushSocket.ConnectAsync(
            fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid), receiveBufferBytes: 4096);

        var grants = await GemGrants.UntilAsync(_client, player, () => timeouts.Count > 0, "no send timed out");
        var frames = await socket.ReadUntilAbortedAsync();

        Assert.Equal(1, timeouts.Count);
        Assert.Equal(0, overflows.Count);
        Assert.Null(socket.Socket.CloseStatus);
        Assert.InRange(frames.Count, 1, grants.Count - 1);
        Assert.Equal(grants.Take(frames.Count), frames.Select(f => f["event_id"]!.GetValue<string>()));

        // Aborted connections carry no reason: the client resumes from the last notification it read.
        var last = frames[^1]["cursor"]!.GetValue<string>();
        await using var resumed = await PushSocket.ConnectAsync(fixture.BaseAddress(), $"{PushRoutes.PlayerWebSocket(player.Uuid)}?after={last}", fixture.PlayerToken(player.Uuid));
        var rest = await resumed.ReadUntilAsync(f => f["event_id"]!.GetValue<string>() == grants[^1]);
        Assert.Equal(grants.Skip(frames.Count), rest.Select(f => f["event_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task PlayerSse_ClientStopsReading_IsAbortedWhenASendTimesOutAndResumesFromWhatItRead()
    {
        var player = await _client.CreatePlayerAsync();
        using var timeouts = new DisconnectCounter(fixture, "send_timeout");
        using var overflows = new DisconnectCounter(fixture, "overflow");
        await using var events = await PushEventStream.OpenAsync(
            fixture.BaseAddress(), PushRoutes.PlayerSse(player.Uuid), fixture.PlayerToken(player.Uuid), receiveBufferBytes: 4096);

        var grants = await GemGrants.UntilAsync(_client, player, () => timeouts.Count > 0, "no send timed out");
        var received = await events.ReadUntilAbortedAsync();

        Assert.Equal(1, timeouts.Count);
        Assert.Equal(0, overflows.Count);
        Assert.InRange(received.Count, 1, grants.Count - 1);

        // Each grant adds 100 gems: the balances show the events came in ledger order, none missing,
        // and the id of the last event read resumes exactly after it.
        Assert.Equal(Enumerable.Range(1, received.Count).Select(i => 100L * i), received.Select(Gems));
        await using var resumed = await PushEventStream.OpenAsync(
            fixture.BaseAddress(), $"{PushRoutes.PlayerSse(player.Uuid)}?after={received[^1].Id}", fixture.PlayerToken(player.Uuid));
        var rest = await resumed.ReadUntilAsync(e => Gems(e) == 100L * grants.Count);
        Assert.Equal(Enumerable.Range(received.Count + 1, grants.Count - received.Count).Select(i => 100L * i), rest.Select(Gems));
    }

    private static long Gems(ServerSentEvent e) => e.Json["payload"]!["data"]![0]!["useCount"]!.GetValue<long>();
}
