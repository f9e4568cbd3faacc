using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Notifications;
using Entitlements.Tests.Auth;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// <c>Notifications:Push:MaxConnectionsPerPlayer</c> (here <see cref="PushConnectionLimitFixture.MaxConnectionsPerPlayer"/>),
/// over real WebSockets and SSE streams: a player's routes keep that many connections open on one gateway,
/// WebSocket and SSE together; one more is refused with 429 before the upgrade or the stream starts; a
/// connection that ends, even without a goodbye, frees its place. Other players and the all-players
/// routes are not counted.
/// </summary>
public sealed class NotificationPushConnectionLimitTests(PushConnectionLimitFixture fixture) : IClassFixture<PushConnectionLimitFixture>
{
    private const int Limit = PushConnectionLimitFixture.MaxConnectionsPerPlayer;

    private static readonly JsonObject TooMany = new()
    {
        ["auth_success"] = true,
        ["error_code"] = "too_many_connections",
        ["desc"] = $"This player already has {Limit} notification connections open on this server; close one before opening another.",
    };

    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task PlayerWebSocket_OneMoreThanTheLimit_Returns429UntilOneIsDropped()
    {
        var player = await _client.CreatePlayerAsync();
        var token = fixture.PlayerToken(player.Uuid);
        var first = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), token);
        await using var second = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), token);

        var (status, body) = await UpgradeAsync(PushRoutes.PlayerWebSocket(player.Uuid), token);
        var sse = await _client.SendAuthAsync(HttpMethod.Get, PushRoutes.PlayerSse(player.Uuid), "Bearer " + token);
        // The client goes without a close frame: the gateway notices the connection is gone and frees its place.
        first.Socket.Abort();
        await first.DisposeAsync();
        await WaitForConnectionsAsync(player.Uuid, Limit - 1);
        await using var third = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), token);

        Assert.Equal(429, status);
        JsonAssert.Equal(TooMany, body);
        JsonAssert.Response(HttpStatusCode.TooManyRequests, TooMany, sse);
        Assert.Equal(TimeSpan.FromSeconds(1), sse.Headers.RetryAfter?.Delta);
        Assert.Equal(Limit, Hub.ConnectionsOf(player.Uuid));
    }

    [Fact]
    public async Task PlayerSse_OneMoreThanTheLimit_Returns429UntilOneIsClosed()
    {
        var player = await _client.CreatePlayerAsync();
        var token = fixture.PlayerToken(player.Uuid);
        var first = await PushEventStream.OpenAsync(fixture.BaseAddress(), PushRoutes.PlayerSse(player.Uuid), token);
        await using var second = await PushEventStream.OpenAsync(fixture.BaseAddress(), PushRoutes.PlayerSse(player.Uuid), token);

        var refused = await _client.SendAuthAsync(HttpMethod.Get, PushRoutes.PlayerSse(player.Uuid), "Bearer " + token);
        var (status, body) = await UpgradeAsync(PushRoutes.PlayerWebSocket(player.Uuid), token);
        await first.DisposeAsync();
        await WaitForConnectionsAsync(player.Uuid, Limit - 1);
        await using var third = await PushEventStream.OpenAsync(fixture.BaseAddress(), PushRoutes.PlayerSse(player.Uuid), token);

        JsonAssert.Response(HttpStatusCode.TooManyRequests, TooMany, refused);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(429, status);
        JsonAssert.Equal(TooMany, body);
        Assert.Equal(Limit, Hub.ConnectionsOf(player.Uuid));
    }

    [Fact]
    public async Task PlayerAtTheLimit_OtherPlayersAndTheAllPlayersRoutes_AreStillAccepted()
    {
        var (player, other) = (await _client.CreatePlayerAsync(), await _client.CreatePlayerAsync());
        var token = fixture.PlayerToken(player.Uuid);
        await using var first = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), token);
        await using var second = await PushEventStream.OpenAsync(fixture.BaseAddress(), PushRoutes.PlayerSse(player.Uuid), token);

        await using var others = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(other.Uuid), fixture.PlayerToken(other.Uuid));
        var everybody = new List<PushSocket>();
        try
        {
            for (var i = 0; i <= Limit; i++)
            {
                everybody.Add(await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.AllWebSocket, fixture.OperatorToken()));
            }

            var (status, _) = await UpgradeAsync(PushRoutes.PlayerWebSocket(player.Uuid), token);

            Assert.Equal(429, status);
            Assert.Equal(Limit, Hub.ConnectionsOf(player.Uuid));
            Assert.Equal(1, Hub.ConnectionsOf(other.Uuid));
        }
        finally
        {
            foreach (var socket in everybody)
            {
                await socket.DisposeAsync();
            }
        }
    }

    private NotificationHub Hub => fixture.App.Services.GetRequiredService<NotificationHub>();

    /// <summary>A WebSocket upgrade request written by hand, so that a refusal's body can be read: its status and body.</summary>
    private async Task<(int Status, string Body)> UpgradeAsync(string path, string token)
    {
        var address = fixture.BaseAddress();
        using var deadline = new CancellationTokenSource(PushSocket.Deadline);
        var head = string.Create(
            CultureInfo.InvariantCulture,
            $"GET {path} HTTP/1.1\r\nHost: {address.Authority}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
            + $"Sec-WebSocket-Key: {Convert.ToBase64String(Guid.NewGuid().ToByteArray())}\r\nAuthorization: Bearer {token}\r\n\r\n");
        using var tcp = await RawHttp.SendAsync(address, head, [], deadline.Token);
        return await RawHttp.ReadResponseAsync(tcp.GetStream(), deadline.Token);
    }

    /// <summary>Wait until the gateway holds <paramref name="count"/> connections of <paramref name="player"/>, or fail after <see cref="PushSocket.Deadline"/>.</summary>
    private Task WaitForConnectionsAsync(Guid player, int count) => Poll.UntilAsync(
        () => Hub.ConnectionsOf(player) == count,
        PushSocket.Deadline,
        () => $"the gateway still holds {Hub.ConnectionsOf(player)} connections of the player, not {count}",
        TimeSpan.FromMilliseconds(20));
}
