using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Notifications;
using Entitlements.Tests.Auth;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Notifications;

/// <summary>The push routes over real WebSockets and real SSE responses: messages, order, filters and resume.</summary>
public sealed class NotificationPushTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Grant_OnPlayerWebSocketAndSse_ArrivesAsTheSeedShapedMessage()
    {
        var player = await _client.CreatePlayerAsync();
        var token = fixture.PlayerToken(player.Uuid);
        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), token);
        await using var events = await PushEventStream.OpenAsync(fixture.BaseAddress(), PushRoutes.PlayerSse(player.Uuid), token);

        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        var (frame, text) = await socket.NextNotificationAsync();
        var sse = await events.NextEventAsync();
        var created = WireTime.ToAccelByte(ExpectedEvent.Created(grant));
        var expectedMessage = PushRoutes.EntitlementUpdated("grant", new ExpectedEntitlement
        {
            FirstEventId = ExpectedEvent.Id(grant),
            Player = player,
            ItemId = "gems",
            Name = "Gems",
            Sku = "gems_100",
            Consumable = true,
            Status = "ACTIVE",
            UseCount = 100,
            GrantedAt = created,
            CreatedAt = created,
            UpdatedAt = created,
        }.ToJson());
        var cursor = frame["cursor"]!.GetValue<string>();
        Assert.Equal(expectedMessage, PushRoutes.RawMessage(text));
        JsonAssert.Equal(
            new JsonObject
            {
                ["cursor"] = cursor,
                ["event_id"] = ExpectedEvent.Id(grant),
                ["player_uuid"] = player.Uuid.ToString(),
                ["version"] = await _client.VersionAsync(player.Uuid),
                ["name"] = "entitlementUpdated",
                ["message"] = JsonNode.Parse(expectedMessage),
            },
            frame);
        Assert.Equal(55, cursor.Length);
        Assert.Equal(new ServerSentEvent(cursor, "entitlementUpdated", expectedMessage, []), sse with { Comments = [] });
        Assert.Equal("text/event-stream", events.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(events.Response.Headers.CacheControl?.NoCache, "Cache-Control: no-cache");
    }

    [Fact]
    public async Task Grant_OfDurableAndConsumable_OnPlayerWebSocket_LeavesOutTheFieldsWithNoValue()
    {
        var player = await _client.CreatePlayerAsync();
        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));

        var pass = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", Unique.Name("tx")));
        var gems = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        var (_, durableText) = await socket.NextNotificationAsync();
        var (_, consumableText) = await socket.NextNotificationAsync();
        var user = player.Uuid.ToString("N");
        var passAt = WireTime.ToAccelByte(ExpectedEvent.Created(pass));
        var gemsAt = WireTime.ToAccelByte(ExpectedEvent.Created(gems));
        Assert.Equal(
            $$$"""{"type":"entitlementUpdated","payload":{"action":"grant","data":[{"id":"{{{Guid.Parse(ExpectedEvent.Id(pass)):N}}}","namespace":"game","clazz":"SUBSCRIPTION","type":"DURABLE","status":"ACTIVE","sku":"season_pass","userId":"{{{user}}}","itemId":"season_pass_1","itemNamespace":"game","name":"Season Pass 1","useCount":1,"source":"PURCHASE","grantedAt":"{{{passAt}}}","createdAt":"{{{passAt}}}","updatedAt":"{{{passAt}}}","stackable":false}]}}""",
            PushRoutes.RawMessage(durableText));
        Assert.Equal(
            $$$"""{"type":"entitlementUpdated","payload":{"action":"grant","data":[{"id":"{{{Guid.Parse(ExpectedEvent.Id(gems)):N}}}","namespace":"game","clazz":"ENTITLEMENT","type":"CONSUMABLE","status":"ACTIVE","sku":"gems_100","userId":"{{{user}}}","itemId":"gems","itemNamespace":"game","name":"Gems","useCount":100,"source":"PURCHASE","grantedAt":"{{{gemsAt}}}","createdAt":"{{{gemsAt}}}","updatedAt":"{{{gemsAt}}}","stackable":true,"stackedUseCount":100}]}}""",
            PushRoutes.RawMessage(consumableText));
    }

    [Fact]
    public async Task Refund_OnPlayerWebSocket_GivesRevokeThenRevocationCompleted()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", transaction));

        var refund = await _client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "season_pass", transaction));

        var (granted, _) = await socket.NextNotificationAsync();
        var (revoked, _) = await socket.NextNotificationAsync();
        var (revocation, revocationText) = await socket.NextNotificationAsync();
        Assert.Equal(
            [("entitlementUpdated", ExpectedEvent.Id(grant), "grant"), ("entitlementUpdated", ExpectedEvent.Id(refund), "revoke")],
            new[] { granted, revoked }.Select(f => (f["name"]!.GetValue<string>(), f["event_id"]!.GetValue<string>(), f["message"]!["payload"]!["action"]!.GetValue<string>())));
        Assert.Equal("REVOKED", revoked["message"]!["payload"]!["data"]![0]!["status"]!.GetValue<string>());
        Assert.Equal("revocationCompleted", revocation["name"]!.GetValue<string>());
        Assert.Equal(ExpectedEvent.Id(refund), revocation["event_id"]!.GetValue<string>());
        var message = revocation["message"]!.AsObject();
        Assert.Equal(
            ("revocationCompleted", ExpectedEvent.Id(refund), player.Uuid.ToString("N"), "SUCCESS"),
            (message["name"]!.GetValue<string>(), message["id"]!.GetValue<string>(), message["payload"]!["userId"]!.GetValue<string>(), message["payload"]!["status"]!.GetValue<string>()));
        Assert.StartsWith("{\"id\":", PushRoutes.RawMessage(revocationText), StringComparison.Ordinal);
        var positions = new List<long>();
        foreach (var frame in new[] { granted, revoked, revocation })
        {
            positions.Add(await fixture.PositionAsync(frame["cursor"]!.GetValue<string>()));
        }

        Assert.True(positions[0] < positions[1], $"positions {string.Join(",", positions)}");
        Assert.Equal(positions[1] + 1, positions[2]);
    }

    [Fact]
    public async Task RefundWithNoGrant_OnPlayerWebSocket_GivesOnlyRevocationCompletedWithTheItemSkipped()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));

        var refund = await _client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "gems_100", transaction));
        // A later grant's notification comes after everything the refund produced: read up to it.
        var marker = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", Unique.Name("tx")));

        var frames = await socket.ReadUntilAsync(f => f["event_id"]!.GetValue<string>() == ExpectedEvent.Id(marker));
        Assert.Equal(
            [("revocationCompleted", ExpectedEvent.Id(refund)), ("entitlementUpdated", ExpectedEvent.Id(marker))],
            frames.Select(f => (f["name"]!.GetValue<string>(), f["event_id"]!.GetValue<string>())));
        var revocation = frames[0];
        var version = revocation["version"]!.GetValue<long>();
        Assert.Equal(version + 1, frames[1]["version"]!.GetValue<long>());
        var message = revocation["message"]!.AsObject();
        var hexId = Guid.Parse(ExpectedEvent.Id(refund)).ToString("N");
        Assert.Equal(
            ("revocationCompleted", ExpectedEvent.Id(refund), 1, WireTime.ToAccelByte(ExpectedEvent.Created(refund))),
            (message["name"]!.GetValue<string>(), message["id"]!.GetValue<string>(), message["version"]!.GetValue<int>(), message["timestamp"]!.GetValue<string>()));
        JsonAssert.Equal(
            JsonNode.Parse(
                $$"""
                {"userId": "{{player.Uuid:N}}", "source": "ORDER",
                 "meta": {"event_id": "{{ExpectedEvent.Id(refund)}}", "action_type": "refund", "platform": "Steam",
                          "platform_transaction_id": "{{transaction}}", "platform_user_id": "{{player.PlatformUserId}}", "sku": "gems_100",
                          "order_id": null, "version": {{version}}},
                 "creditRevocations": [],
                 "entitlementRevocations": [],
                 "itemRevocations": [
                   {"quantity": 0, "itemId": "gems", "itemSku": "gems_100", "itemType": "INGAMEITEM", "revocationStrategy": "REVOKE_OR_REPORT",
                    "status": "SUCCESS", "skipped": true, "reason": "no grant of this transaction yet: nothing to revoke",
                    "itemRevocations": [], "creditRevocations": [], "entitlementRevocations": []}],
                 "revokeEntries": [
                   {"type": "ITEM", "item": {"itemIdentityType": "ITEM_ID", "itemIdentity": "gems"}, "entitlement": null, "currency": null, "quantity": 0}],
                 "revocationId": "{{hexId}}", "namespace": "game", "status": "SUCCESS", "revocationError": [], "requestId": "{{hexId}}"}
                """),
            message["payload"]);
    }

    [Fact]
    public async Task PlayerRoutes_AnotherPlayersGrant_NeverArrives()
    {
        var me = await _client.CreatePlayerAsync();
        var other = await _client.CreatePlayerAsync();
        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(me.Uuid), fixture.PlayerToken(me.Uuid));
        await using var events = await PushEventStream.OpenAsync(fixture.BaseAddress(), PushRoutes.PlayerSse(me.Uuid), fixture.PlayerToken(me.Uuid));

        // The other player's grant is committed and published first; the first thing to arrive must still be mine.
        await _client.PostEventOkAsync(EventRequests.Grant(other.PlatformUserId, "gems_100", Unique.Name("tx")));
        await _client.PostEventOkAsync(EventRequests.Grant(other.PlatformUserId, "season_pass", Unique.Name("tx")));
        var mine = await _client.PostEventOkAsync(EventRequests.Grant(me.PlatformUserId, "gems_100", Unique.Name("tx")));

        var (frame, _) = await socket.NextNotificationAsync();
        var sse = await events.NextEventAsync();
        Assert.Equal((ExpectedEvent.Id(mine), me.Uuid.ToString()), (frame["event_id"]!.GetValue<string>(), frame["player_uuid"]!.GetValue<string>()));
        Assert.Equal(frame["cursor"]!.GetValue<string>(), sse.Id);
        Assert.Equal(me.Uuid.ToString("N"), sse.Json["payload"]!["data"]![0]!["userId"]!.GetValue<string>());
    }

    [Fact]
    public async Task AllPlayersRoutes_GrantsOfTwoPlayers_ArriveInLedgerOrder()
    {
        var first = await _client.CreatePlayerAsync();
        var second = await _client.CreatePlayerAsync();
        var token = fixture.Token("inv:notifications:all");
        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.AllWebSocket, token);
        await using var events = await PushEventStream.OpenAsync(fixture.BaseAddress(), PushRoutes.AllSse, token);

        var firstGrant = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(first.PlatformUserId, "gems_100", Unique.Name("tx"))));
        var secondGrant = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(second.PlatformUserId, "season_pass", Unique.Name("tx"))));

        // Other tests share this gateway: keep only these two players' notifications.
        var frames = (await socket.ReadUntilAsync(f => f["event_id"]!.GetValue<string>() == secondGrant))
            .Where(f => f["event_id"]!.GetValue<string>() is var id && (id == firstGrant || id == secondGrant))
            .Select(f => (f["event_id"]!.GetValue<string>(), f["player_uuid"]!.GetValue<string>()))
            .ToList();
        var sse = (await events.ReadUntilAsync(e => e.Json["payload"]?["data"]?[0]?["id"]?.GetValue<string>() == Guid.Parse(secondGrant).ToString("N")))
            .Select(e => e.Json["payload"]?["data"]?[0]?["userId"]?.GetValue<string>())
            .Where(user => user == first.Uuid.ToString("N") || user == second.Uuid.ToString("N"))
            .ToList();
        Assert.Equal([(firstGrant, first.Uuid.ToString()), (secondGrant, second.Uuid.ToString())], frames);
        Assert.Equal([first.Uuid.ToString("N"), second.Uuid.ToString("N")], sse);
    }

    [Fact]
    public async Task WebSocket_ResumeAfterCursorWhileGrantsAreWritten_GetsExactlyTheLedgerSequence()
    {
        const int Before = 6;
        const int During = 40;
        const int ResumeAfter = 3;
        var player = await _client.CreatePlayerAsync();
        var token = fixture.PlayerToken(player.Uuid);
        var grants = new List<string>();
        List<JsonObject> seen;
        await using (var live = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), token))
        {
            for (var i = 0; i < Before; i++)
            {
                grants.Add(ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")))));
            }

            seen = await live.ReadUntilAsync(f => f["event_id"]!.GetValue<string>() == grants[^1]);
        }

        Assert.Equal(grants, seen.Select(f => f["event_id"]!.GetValue<string>()));
        var firstCursor = seen[0]["cursor"]!.GetValue<string>();
        var resumeCursor = seen[ResumeAfter - 1]["cursor"]!.GetValue<string>();

        // Grants keep being written while the client resumes: the seam falls somewhere among them.
        var writing = Task.Run(async () =>
        {
            var written = new List<string>();
            for (var i = 0; i < During; i++)
            {
                written.Add(ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")))));
            }

            return written;
        });
        await using var resumed = await PushSocket.ConnectAsync(fixture.BaseAddress(), $"{PushRoutes.PlayerWebSocket(player.Uuid)}?after={resumeCursor}", token);
        grants.AddRange(await writing);
        var received = await resumed.ReadUntilAsync(f => f["event_id"]!.GetValue<string>() == grants[^1]);

        await using var replay = await PushSocket.ConnectAsync(fixture.BaseAddress(), $"{PushRoutes.PlayerWebSocket(player.Uuid)}?after={firstCursor}", token);
        var fresh = await replay.ReadUntilAsync(f => f["event_id"]!.GetValue<string>() == grants[^1]);

        Assert.Equal(grants[1..], fresh.Select(f => f["event_id"]!.GetValue<string>()));
        Assert.Equal(
            fresh.Skip(ResumeAfter - 1).Select(f => f.ToJsonString()),
            received.Select(f => f.ToJsonString()));
        var positions = new List<long>();
        foreach (var frame in received)
        {
            positions.Add(await fixture.PositionAsync(frame["cursor"]!.GetValue<string>()));
        }

        Assert.True(positions.Zip(positions.Skip(1)).All(p => p.First < p.Second), $"positions not strictly increasing: {string.Join(",", positions)}");
        Assert.True(positions[0] > await fixture.PositionAsync(resumeCursor), "the first resumed notification is after the cursor");
    }

    [Fact]
    public async Task ServerSentEvents_LastEventId_ResumesAfterThatEvent()
    {
        var player = await _client.CreatePlayerAsync();
        var token = fixture.PlayerToken(player.Uuid);
        var (grants, ws) = await GrantFourLiveAsync(player, token);

        var cursors = ws.Select(f => f["cursor"]!.GetValue<string>()).ToList();

        await using var events = await PushEventStream.OpenAsync(fixture.BaseAddress(), PushRoutes.PlayerSse(player.Uuid), token, lastEventId: cursors[0]);
        var sse = await events.ReadUntilAsync(e => e.Id == cursors[^1]);
        await using var laterQuery = await PushEventStream.OpenAsync(fixture.BaseAddress(), $"{PushRoutes.PlayerSse(player.Uuid)}?after={cursors[1]}", token, lastEventId: cursors[0]);
        var afterQuery = await laterQuery.NextEventAsync();

        Assert.Equal(grants, ws.Select(f => f["event_id"]!.GetValue<string>()));
        Assert.Equal(cursors[1..], sse.Select(e => e.Id));
        Assert.Equal(ws.Skip(1).Select(f => f["message"]!.ToJsonString(PushRoutes.Relaxed)), sse.Select(e => e.Data));
        Assert.Equal(cursors[2], afterQuery.Id);
    }

    [Fact]
    public async Task ServerSentEvents_LastEventIdLaterThanQuery_ResumesAfterTheLastEventId()
    {
        // An EventSource opened on ".../sse?after=X" reconnects to that same URL with Last-Event-ID: the last id it got.
        var player = await _client.CreatePlayerAsync();
        var token = fixture.PlayerToken(player.Uuid);
        var (grants, ws) = await GrantFourLiveAsync(player, token);

        var cursors = ws.Select(f => f["cursor"]!.GetValue<string>()).ToList();

        await using var reconnected = await PushEventStream.OpenAsync(fixture.BaseAddress(), $"{PushRoutes.PlayerSse(player.Uuid)}?after={cursors[0]}", token, lastEventId: cursors[2]);
        var sse = await reconnected.ReadUntilAsync(e => e.Id == cursors[^1]);

        Assert.Equal(grants, ws.Select(f => f["event_id"]!.GetValue<string>()));
        Assert.Equal([cursors[3]], sse.Select(e => e.Id));
    }

    [Fact]
    public async Task AfterGivenTwice_TakesTheLastValue_OnBothTransports()
    {
        // As Starlette reads a repeated query parameter: the value given last wins, here the earlier position.
        var player = await _client.CreatePlayerAsync();
        var token = fixture.PlayerToken(player.Uuid);
        var (_, ws) = await GrantFourLiveAsync(player, token);
        var cursors = ws.Select(f => f["cursor"]!.GetValue<string>()).ToList();
        var query = $"?after={cursors[2]}&after={cursors[0]}";

        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid) + query, token);
        var frame = (await socket.NextNotificationAsync()).Json;
        await using var events = await PushEventStream.OpenAsync(fixture.BaseAddress(), PushRoutes.PlayerSse(player.Uuid) + query, token);
        var sse = await events.NextEventAsync();

        Assert.Equal(cursors[1], frame["cursor"]!.GetValue<string>());
        Assert.Equal(cursors[1], sse.Id);
    }

    [Fact]
    public async Task AllPlayersRoutes_AfterGivenTwice_TakesTheLastValue_OnBothTransports()
    {
        // The all-players routes read ?after= as the player's routes do: the value given last wins.
        var player = await _client.CreatePlayerAsync();
        var (grants, ws) = await GrantFourLiveAsync(player, fixture.PlayerToken(player.Uuid));
        var cursors = ws.Select(f => f["cursor"]!.GetValue<string>()).ToList();
        var query = $"?after={cursors[2]}&after={cursors[0]}";
        var token = fixture.Token("inv:notifications:all");

        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.AllWebSocket + query, token);
        var frames = await socket.ReadUntilAsync(f => f["event_id"]!.GetValue<string>() == grants[3]);
        await using var events = await PushEventStream.OpenAsync(fixture.BaseAddress(), PushRoutes.AllSse + query, token);
        var sse = await events.ReadUntilAsync(e => e.Id == cursors[3]);

        // Other tests share this gateway: keep only this player's notifications.
        Assert.Equal(grants[1..], frames.Select(f => f["event_id"]!.GetValue<string>()).Where(grants.Contains));
        Assert.Equal(cursors[1..], sse.Select(e => e.Id).Where(id => id is not null && cursors.Contains(id)));
    }

    [Fact]
    public async Task ServerSentEvents_ValidQueryAndBadLastEventId_Returns422ForTheHeader()
    {
        var player = await _client.CreatePlayerAsync();
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var head = await fixture.HeadCursorAsync();

        var response = await _client.SendAsync(HttpMethod.Get, $"{PushRoutes.AllSse}?after={head}", configure: r => r.Headers.Add("Last-Event-ID", "not-a-cursor"));

        JsonAssert.Invalid(response, new ValidationDetail(["header", "last-event-id"], "Invalid cursor: it was not issued for the notification feed", "value_error"));
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("sse")]
    public async Task PlayerRoutes_AnotherPlayersToken_Return403InsufficientPermissions(string transport)
    {
        var me = await _client.CreatePlayerAsync();
        var other = await _client.CreatePlayerAsync();
        var path = $"/notifications/v1/player/{other.Uuid}/{transport}";

        var response = await _client.SendAuthAsync(HttpMethod.Get, path, "Bearer " + fixture.PlayerToken(me.Uuid));

        AuthHttp.Forbidden(response);
        if (transport == "ws")
        {
            Assert.Equal(HttpStatusCode.Forbidden, await PushSocket.RefusedAsync(fixture.BaseAddress(), path, fixture.PlayerToken(me.Uuid)));
        }
    }

    [Theory]
    [InlineData(PushRoutes.AllWebSocket, "")]
    [InlineData(PushRoutes.AllSse, "")]
    [InlineData(PushRoutes.AllWebSocket, "inv:notifications:read")]
    [InlineData(PushRoutes.AllSse, "inv:notifications:read inv:entitlements:read")]
    public async Task AllPlayersRoutes_PlayerTokenOrPlayerPermission_Return403InsufficientPermissions(string path, string permissions)
    {
        var me = await _client.CreatePlayerAsync();
        var token = permissions.Length == 0 ? fixture.PlayerToken(me.Uuid) : fixture.Token(permissions.Split(' '));

        var response = await _client.SendAuthAsync(HttpMethod.Get, path, "Bearer " + token);

        AuthHttp.Forbidden(response);
        if (path == PushRoutes.AllWebSocket)
        {
            Assert.Equal(HttpStatusCode.Forbidden, await PushSocket.RefusedAsync(fixture.BaseAddress(), path, token));
        }
    }

    [Fact]
    public async Task PlayerWebSocket_TokenInCookie_GetsTheGrant()
    {
        var player = await _client.CreatePlayerAsync();
        var cookie = "Authorization=" + Uri.EscapeDataString("Bearer " + fixture.PlayerToken(player.Uuid));
        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), token: null, cookie: cookie);

        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        Assert.Equal(ExpectedEvent.Id(grant), (await socket.NextNotificationAsync()).Json["event_id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("ws", "not-a-cursor")]
    [InlineData("sse", "not-a-cursor")]
    [InlineData("ws", "")]
    [InlineData("sse", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Routes_BadCursor_Return422(string transport, string after)
    {
        var player = await _client.CreatePlayerAsync();

        var perPlayer = await _client.GetApiAsync($"/notifications/v1/player/{player.Uuid}/{transport}?after={after}");
        var everybody = await _client.GetApiAsync($"/notifications/v1/{transport}?after={after}");

        JsonAssert.Invalid(perPlayer, ValidationDetail.Query("after", "Invalid cursor: it was not issued for the notification feed", "value_error"));
        JsonAssert.Invalid(everybody, ValidationDetail.Query("after", "Invalid cursor: it was not issued for the notification feed", "value_error"));
    }

    /// <summary>
    /// A resume cursor is taken only as it was issued: another spelling of its bytes (the standard base64
    /// alphabet, the last character's unused bits set) is refused as a forged one is, by the feed grain and
    /// on every push route, in <c>after</c> and in <c>Last-Event-ID</c>.
    /// </summary>
    [Fact]
    public async Task Routes_CursorSpelledOtherwiseThanIssued_Return422()
    {
        var player = await _client.CreatePlayerAsync();
        for (var i = 0; i < 16; i++)
        {
            await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        }

        var feed = fixture.App.Services.GetRequiredService<IGrainFactory>().GetGrain<INotificationFeedGrain>(0);
        var notifications = (await feed.ReadAsync(new NotificationQuery(player.Uuid, 0, 100))).Notifications;
        var cursor = CursorSpellings.WithUrlSafeCharacters(notifications.Select(n => n.Cursor));
        var invalid = "Invalid cursor: it was not issued for the notification feed";

        Assert.Equal(notifications.Single(n => n.Cursor == cursor).Position, await feed.DecodeCursorAsync(cursor));
        foreach (var spelling in CursorSpellings.Of(cursor))
        {
            var after = Uri.EscapeDataString(spelling);
            Assert.Null(await feed.DecodeCursorAsync(spelling));
            foreach (var path in new[] { PushRoutes.PlayerWebSocket(player.Uuid), PushRoutes.PlayerSse(player.Uuid), PushRoutes.AllWebSocket, PushRoutes.AllSse })
            {
                JsonAssert.Invalid(await _client.GetApiAsync($"{path}?after={after}"), ValidationDetail.Query("after", invalid, "value_error"));
            }

            var header = await _client.SendAsync(HttpMethod.Get, PushRoutes.PlayerSse(player.Uuid), configure: r => r.Headers.Add("Last-Event-ID", spelling));
            JsonAssert.Invalid(header, new ValidationDetail(["header", "last-event-id"], invalid, "value_error"));
        }
    }

    [Fact]
    public async Task Routes_EntitlementEventListingCursor_Returns422()
    {
        var player = await _client.CreatePlayerAsync();
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var listing = await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}&limit=1");
        var foreign = Uri.EscapeDataString(listing["cursor"]!.GetValue<string>());

        var ws = await _client.GetApiAsync($"{PushRoutes.PlayerWebSocket(player.Uuid)}?after={foreign}");
        var refused = await PushSocket.RefusedAsync(fixture.BaseAddress(), $"{PushRoutes.PlayerWebSocket(player.Uuid)}?after={foreign}", fixture.OperatorToken());

        JsonAssert.Invalid(ws, ValidationDetail.Query("after", "Invalid cursor: it was not issued for the notification feed", "value_error"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused);
    }

    [Fact]
    public async Task ServerSentEvents_BadLastEventId_Returns422()
    {
        var response = await _client.SendAsync(HttpMethod.Get, PushRoutes.AllSse, configure: r => r.Headers.Add("Last-Event-ID", "not-a-cursor"));

        JsonAssert.Invalid(response, new ValidationDetail(["header", "last-event-id"], "Invalid cursor: it was not issued for the notification feed", "value_error"));
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("sse")]
    public async Task PlayerRoutes_BadPlayerUuid_Return422(string transport)
    {
        var response = await _client.GetApiAsync($"/notifications/v1/player/player-one/{transport}");

        JsonAssert.Invalid(response, ValidationDetail.Path("player_uuid", "Input should be a valid UUID", "uuid_parsing"));
    }

    [Theory]
    [InlineData("/notifications/v1/ws")]
    [InlineData("/notifications/v1/player/6f1c2a57-0d7e-4b8e-9a51-2f6b1c0d9e44/ws")]
    public async Task WebSocketRoutes_PlainGet_Return400(string path)
    {
        var response = await _client.GetApiAsync(path);

        JsonAssert.Error(
            HttpStatusCode.BadRequest,
            "websocket_upgrade_required",
            "This route is a WebSocket endpoint: connect with a WebSocket upgrade request, or use the sse route for server-sent events.",
            response);
    }

    /// <summary>Four grants of the player, and the WebSocket frames that carried them live (their cursors are the resume points).</summary>
    private async Task<(List<string> Grants, List<JsonObject> Frames)> GrantFourLiveAsync(Player player, string token)
    {
        var grants = new List<string>();
        await using var live = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), token);
        for (var i = 0; i < 4; i++)
        {
            grants.Add(ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")))));
        }

        return (grants, await live.ReadUntilAsync(f => f["event_id"]!.GetValue<string>() == grants[^1]));
    }
}
