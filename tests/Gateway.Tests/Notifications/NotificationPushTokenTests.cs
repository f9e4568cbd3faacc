using System.Net.WebSockets;
using System.Security.Cryptography;
using Entitlements.Tests.Auth;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// The token that opened a push connection is checked again while it lasts: the connection ends when the
/// token expires, or when a re-read key set no longer holds its key, with the cursor to resume from under
/// a fresh token.
/// </summary>
public sealed class NotificationPushTokenTests(PushTokenFixture fixture) : IClassFixture<PushTokenFixture>
{
    // Long enough for the upgrade, a grant and its delivery on a loaded machine before the token expires.
    private const int TtlSeconds = 15;

    [Fact]
    public async Task PlayerWebSocket_TokenExpires_IsClosedWithPolicyViolationAndTheResumeCursor()
    {
        var player = await fixture.Operator.CreatePlayerAsync();
        var (token, expires) = ShortLivedToken(player.Uuid);
        await using var socket = await PushSocket.ConnectAsync(fixture.Client.BaseAddress!, PushRoutes.PlayerWebSocket(player.Uuid), token);
        var first = await GrantAsync(player);
        var (seen, _) = await socket.NextNotificationAsync();
        var cursor = seen["cursor"]!.GetValue<string>();

        var (type, _) = await socket.NextNotificationOrCloseAsync();

        Assert.True(DateTimeOffset.UtcNow >= expires, $"closed at {DateTimeOffset.UtcNow:O}, before the token's exp {expires:O}");
        Assert.Equal(first, seen["event_id"]!.GetValue<string>());
        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.Socket.CloseStatus);
        Assert.Equal($"token rejected: auth_token_expired; resume with after={cursor}", socket.Socket.CloseStatusDescription);

        // A fresh token resumes after the cursor: nothing is lost.
        var second = await GrantAsync(player);
        await using var resumed = await PushSocket.ConnectAsync(
            fixture.Client.BaseAddress!, $"{PushRoutes.PlayerWebSocket(player.Uuid)}?after={cursor}", LongLivedToken(player.Uuid));
        Assert.Equal(second, (await resumed.NextNotificationAsync()).Json["event_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task PlayerSse_TokenExpires_GetsTheCursorAndAnErrorEventAndTheResponseEnds()
    {
        var player = await fixture.Operator.CreatePlayerAsync();
        var (token, expires) = ShortLivedToken(player.Uuid);
        await using var events = await PushEventStream.OpenAsync(fixture.Client.BaseAddress!, PushRoutes.PlayerSse(player.Uuid), token);
        await GrantAsync(player);
        var seen = await events.NextEventAsync();

        var ending = await NextWithoutHeartbeatAsync(events);
        var error = await NextWithoutHeartbeatAsync(events);

        Assert.True(DateTimeOffset.UtcNow >= expires, $"ended at {DateTimeOffset.UtcNow:O}, before the token's exp {expires:O}");
        Assert.Equal(("entitlementUpdated", 100L), (seen.Event, seen.Json["payload"]!["data"]![0]!["useCount"]!.GetValue<long>()));
        Assert.Equal(new ServerSentEvent(seen.Id, null, null, []), ending! with { Comments = [] });
        Assert.Equal("error", error!.Event);
        Assert.Equal($$"""{"reason":"token rejected: auth_token_expired; resume with after={{seen.Id}}"}""", error.Data);
        Assert.Null(await events.NextAsync());

        // A fresh token resumes after the cursor: the next grant is the next event.
        await GrantAsync(player);
        await using var resumed = await PushEventStream.OpenAsync(
            fixture.Client.BaseAddress!, PushRoutes.PlayerSse(player.Uuid), LongLivedToken(player.Uuid), lastEventId: seen.Id);
        var next = await resumed.NextEventAsync();
        Assert.Equal(200, next.Json["payload"]!["data"]![0]!["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task PlayerWebSocket_SigningKeyRemovedFromTheKeySet_IsClosedOnceTheSetIsReRead()
    {
        var player = await fixture.Operator.CreatePlayerAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = fixture.Keys.Rotate(key, "revoked-" + Guid.NewGuid().ToString("N"));
        var token = fixture.Keys.Es256(TestKeys.Claims([], subject: player.Uuid.ToString()), keyId: kid, key: key);
        await using var socket = await PushSocket.ConnectAsync(fixture.Client.BaseAddress!, PushRoutes.PlayerWebSocket(player.Uuid), token);
        await GrantAsync(player);
        var cursor = (await socket.NextNotificationAsync()).Json["cursor"]!.GetValue<string>();

        // The key is withdrawn; a token naming a kid the gateway does not know makes it re-read the set.
        fixture.Keys.PublishWithout(kid);
        var unknown = await fixture.Client.ProbeAsync(fixture.Keys.Es256(TestKeys.Claims([AuthHttp.ProbePermission]), keyId: "unknown-" + Guid.NewGuid().ToString("N"), key: fixture.Keys.Stranger));
        var (type, _) = await socket.NextNotificationOrCloseAsync();

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, unknown);
        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.Socket.CloseStatus);
        Assert.Equal($"token rejected: auth_invalid_key_id; resume with after={cursor}", socket.Socket.CloseStatusDescription);
    }

    [Fact]
    public async Task PlayerWebSocket_KeySetReReadStillHoldingTheKey_StaysOpen()
    {
        var player = await fixture.Operator.CreatePlayerAsync();
        await using var socket = await PushSocket.ConnectAsync(fixture.Client.BaseAddress!, PushRoutes.PlayerWebSocket(player.Uuid), LongLivedToken(player.Uuid));

        await fixture.Client.ProbeAsync(fixture.Keys.Es256(TestKeys.Claims([AuthHttp.ProbePermission]), keyId: "unknown-" + Guid.NewGuid().ToString("N"), key: fixture.Keys.Stranger));
        var granted = await GrantAsync(player);

        Assert.Equal(granted, (await socket.NextNotificationAsync()).Json["event_id"]!.GetValue<string>());
        Assert.Equal(WebSocketState.Open, socket.Socket.State);
    }

    [Fact]
    public async Task PlayerWebSocket_KeySetReReadWithTheSameKeys_ChecksNoTokenAgain()
    {
        var player = await fixture.Operator.CreatePlayerAsync();
        await using var socket = await PushSocket.ConnectAsync(fixture.Client.BaseAddress!, PushRoutes.PlayerWebSocket(player.Uuid), LongLivedToken(player.Uuid));
        using var counters = new AuthCounters(fixture);

        // A made-up kid makes the gateway re-read an unchanged key set: the connection's credential watch
        // stays asleep, and the operator's token and the socket's stay cached.
        var unknown = await fixture.Client.ProbeAsync(fixture.Keys.Es256(TestKeys.Claims([AuthHttp.ProbePermission]), keyId: "unknown-" + Guid.NewGuid().ToString("N"), key: fixture.Keys.Stranger));
        var granted = await GrantAsync(player);
        var delivered = (await socket.NextNotificationAsync()).Json["event_id"]!.GetValue<string>();

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, unknown);
        Assert.Equal(granted, delivered);
        Assert.Equal(WebSocketState.Open, socket.Socket.State);
        Assert.Equal(0, counters.SignatureChecks);
    }

    /// <summary>A player's own token that expires in <see cref="TtlSeconds"/>, and its <c>exp</c>.</summary>
    private (string Token, DateTimeOffset Expires) ShortLivedToken(Guid player)
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + TtlSeconds);
        var claims = TestKeys.Claims([], subject: player.ToString());
        claims["exp"] = expires.ToUnixTimeSeconds();
        return (fixture.Keys.Es256(claims), expires);
    }

    private string LongLivedToken(Guid player) => fixture.Keys.Es256(TestKeys.Claims([], subject: player.ToString()));

    /// <summary>Grant 100 gems; the event id.</summary>
    private async Task<string> GrantAsync(Player player) =>
        ExpectedEvent.Id(await fixture.Operator.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));

    /// <summary>The next block that is not only a heartbeat comment, within <see cref="PushSocket.Deadline"/>; null at the end of the response.</summary>
    private static async Task<ServerSentEvent?> NextWithoutHeartbeatAsync(PushEventStream events)
    {
        var deadline = DateTimeOffset.UtcNow + PushSocket.Deadline;
        while (true)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"nothing but heartbeats for {PushSocket.Deadline}");
            var next = await events.NextAsync();
            if (next is null || next.Id is not null || next.Event is not null || next.Data is not null)
            {
                return next;
            }
        }
    }
}
