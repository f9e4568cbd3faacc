using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests;

/// <summary><c>GET /inventory/v1/entitlement-event</c>: filters, order, paging and cursors.</summary>
public sealed class EntitlementEventListTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task List_ByPlayerUuid_ReturnsOnlyThatPlayersEventsOldestFirst()
    {
        var (player, other, mine, theirs) = await TwoPlayersWithEventsAsync();

        var page = await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}");
        var otherPage = await _client.ListEventsOkAsync($"?player_uuid={other.Uuid}");

        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray([.. mine]), ["cursor"] = null }, page);
        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray([.. theirs]), ["cursor"] = null }, otherPage);
    }

    [Fact]
    public async Task List_ByDeprecatedPlayerId_ReturnsThatPlayersEvents()
    {
        var (player, _, mine, _) = await TwoPlayersWithEventsAsync();

        var page = await _client.ListEventsOkAsync($"?player_id={player.Id}");

        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray([.. mine]), ["cursor"] = null }, page);
    }

    [Fact]
    public async Task List_PlayerIdWithPlayerUuid_IgnoresPlayerId()
    {
        var (player, other, mine, _) = await TwoPlayersWithEventsAsync();

        var page = await _client.ListEventsOkAsync($"?player_id={other.Id}&player_uuid={player.Uuid}");

        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray([.. mine]), ["cursor"] = null }, page);
    }

    [Theory]
    [InlineData("?player_id=987654321")]
    [InlineData("?player_uuid=6f1a7a46-0d5e-4a53-9a0c-2f5b8d1e7c11")]
    public async Task List_UnknownPlayer_ReturnsAnEmptyLastPage(string query)
    {
        var page = await _client.ListEventsOkAsync(query);

        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray(), ["cursor"] = null }, page);
    }

    [Fact]
    public async Task List_WithoutPlayer_ReturnsEveryonesEventsIncludingPlayerlessOnesOldestFirst()
    {
        var first = await _client.CreatePlayerAsync();
        var second = await _client.CreatePlayerAsync();
        var posted = new List<JsonObject>
        {
            await _client.PostEventOkAsync(EventRequests.Grant(first.PlatformUserId, "gems_100", Unique.Name("tx"))),
            await _client.PostEventOkAsync(EventRequests.Grant(Unique.Name("unlinked"), "gems_100", Unique.Name("tx"))),
            await _client.PostEventOkAsync(EventRequests.Grant(second.PlatformUserId, "season_pass", Unique.Name("tx"))),
            await _client.PostEventOkAsync(EventRequests.Create("refund", first.PlatformUserId, "gems_100", Unique.Name("tx"))),
        };
        var ids = posted.Select(ExpectedEvent.Id).ToHashSet();

        var all = await _client.AllEventsAsync();

        Assert.Equal(all.Count, all.Select(ExpectedEvent.Id).Distinct().Count());
        JsonAssert.Equal(new JsonArray([.. posted]), new JsonArray([.. all.Where(e => ids.Contains(ExpectedEvent.Id(e))).Select(e => e.DeepClone())]));
        Assert.Null(posted[1]["player_uuid"]);
    }

    [Fact]
    public async Task List_EventWithTheDeepestPlatformDataABodyMayCarry_ListsItOnKeptAndLastPages()
    {
        // A body may nest 64 levels: the body, then platform_data and 62 objects inside it. A listing
        // carries the event two levels deeper (the page, its events array).
        var player = await _client.CreatePlayerAsync();
        var deepest = Nested(63);
        var grant = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"));
        grant["platform_data"] = deepest.DeepClone();
        var tooDeep = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"));
        tooDeep["platform_data"] = Nested(64);

        var posted = await _client.PostEventOkAsync(grant);
        var rejected = await _client.SendAsync(HttpMethod.Post, GatewayHttp.EventsPath, tooDeep.ToJsonString(new() { MaxDepth = 128 }));
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var kept = await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}&limit=1");
        var last = await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}");

        Assert.True(JsonNode.DeepEquals(deepest, posted["platform_data"]), "the answer's platform_data differs");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "json_invalid"), (rejected.Status, rejected.Json["detail"]![0]!["type"]!.GetValue<string>()));
        Assert.NotNull(kept["cursor"]);
        Assert.Null(last["cursor"]);
        foreach (var page in new[] { kept, last })
        {
            Assert.True(JsonNode.DeepEquals(posted, page["events"]![0]), $"listed {page["events"]![0]!["event_id"]}, posted {posted["event_id"]}");
        }

        static JsonObject Nested(int objects)
        {
            var node = new JsonObject { ["leaf"] = true };
            for (var i = 1; i < objects; i++)
            {
                node = new JsonObject { ["n"] = node };
            }

            return node;
        }
    }

    /// <summary>
    /// Before the grains refused it, an Orleans client could store platform data that is no JSON object an
    /// answer reads (text, an array, a string, objects nested past the answer's limit), or an integer Python's
    /// json.loads refuses. Each such event made its player's listing and everybody's answer 500 (or unreadable
    /// by a Python client), for good; it is now listed with null platform data.
    /// </summary>
    [Fact]
    public async Task List_EventsStoredWithPlatformDataThatIsNotAnObject_ListsThemWithNullPlatformData()
    {
        var player = await _client.CreatePlayerAsync();
        var posted = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var store = fixture.App.Services.GetRequiredService<ILedgerStore>();
        var info = (await store.ReadPlayerAsync(player.Uuid))!;
        var catalog = await store.ReadCatalogSkuAsync(Platform.Steam, "gems_100");
        var stored = new List<string>();
        // The last holds an integer of 4,301 digits, more than Python's json.loads converts: every listing page
        // holding it could not be read by a Python client.
        foreach (var platformData in new[] { "receipt=abc", "[1]", "\"x\"", string.Concat(Enumerable.Repeat("{\"n\":", 64)) + "{}" + new string('}', 64), "{\"a\":[{\"n\":-" + new string('7', 4301) + "}]}" })
        {
            var state = LedgerFold.ApplyAll(LedgerState.Empty, await store.ReadPlayerEventsAsync(player.Uuid, 0, 100));
            var command = new SubmitEntitlementEvent
            {
                ActionType = EntitlementActionType.Grant,
                Platform = Platform.Steam,
                PlatformUserId = player.PlatformUserId,
                Sku = "gems_100",
                PlatformTransactionId = Unique.Name("tx"),
                PlatformDataJson = platformData,
            };
            var decided = EntitlementDecider.DecideEntitlementEvent(state, info, command, catalog, [], Guid.NewGuid().ToString("D"), DateTimeOffset.UtcNow);
            var (outcome, appended) = await store.AppendAsync(decided);
            Assert.Equal(AppendOutcome.Appended, outcome);
            stored.Add(appended!.EventId);
        }

        var page = await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}");
        var everybody = (await _client.AllEventsAsync()).Where(e => stored.Contains(ExpectedEvent.Id(e))).ToList();

        var events = page["events"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(posted, events[0]), $"listed {events[0]}, posted {posted}");
        Assert.Equal(stored, events.Skip(1).Select(e => ExpectedEvent.Id(e!)));
        Assert.Equal(stored, everybody.Select(ExpectedEvent.Id));
        Assert.All(events.Skip(1).Concat(everybody), e => Assert.True(e!.AsObject().TryGetPropertyValue("platform_data", out var data) && data is null, $"{e}"));
    }

    [Fact]
    public async Task List_WithLimit_PagesWithCursorsAndEndsWithNullCursor()
    {
        var player = await _client.CreatePlayerAsync();
        var posted = await PostGrantsAsync(player, 5);
        var filter = $"&player_uuid={player.Uuid}";

        var first = await _client.ListEventsOkAsync($"?limit=2{filter}");
        var cursor1 = CursorOf(first);
        var second = await _client.ListEventsOkAsync($"?limit=2{filter}&cursor={cursor1}");
        var cursor2 = CursorOf(second);
        var last = await _client.ListEventsOkAsync($"?limit=2{filter}&cursor={cursor2}");

        JsonAssert.Equal(new JsonArray(posted[0].DeepClone(), posted[1].DeepClone()), first["events"]);
        JsonAssert.Equal(new JsonArray(posted[2].DeepClone(), posted[3].DeepClone()), second["events"]);
        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray(posted[4].DeepClone()), ["cursor"] = null }, last);
        Assert.NotEqual(cursor1, cursor2);
        Assert.All([cursor1, cursor2], c => Assert.InRange(c.Length, 1, 255));
    }

    [Theory]
    [InlineData("limit=5")]
    [InlineData("limit=1000")]
    [InlineData("")]
    public async Task List_PageThatHoldsTheRest_HasNullCursor(string limit)
    {
        var player = await _client.CreatePlayerAsync();
        var posted = await PostGrantsAsync(player, 5);

        var page = await _client.ListEventsOkAsync($"?{limit}&player_uuid={player.Uuid}");

        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray([.. posted]), ["cursor"] = null }, page);
    }

    [Fact]
    public async Task List_LimitOne_ReturnsOneEventAndACursor()
    {
        var player = await _client.CreatePlayerAsync();
        var posted = await PostGrantsAsync(player, 2);

        var page = await _client.ListEventsOkAsync($"?limit=1&player_uuid={player.Uuid}");

        JsonAssert.Equal(new JsonArray(posted[0].DeepClone()), page["events"]);
        CursorOf(page);
    }

    [Fact]
    public async Task List_WithoutLimit_ReturnsPagesOfOneHundred()
    {
        var player = await _client.CreatePlayerAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 101).Select(_ =>
            _client.PostEventAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")))));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));

        var first = await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}");
        var second = await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}&cursor={CursorOf(first)}");

        Assert.Equal(100, first["events"]!.AsArray().Count);
        Assert.Single(second["events"]!.AsArray());
        Assert.Null(second["cursor"]);
        var listed = first["events"]!.AsArray().Concat(second["events"]!.AsArray()).Select(e => ExpectedEvent.Id(e!)).ToList();
        Assert.Equal(responses.Select(r => ExpectedEvent.Id(r.Json)).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("0", "Input should be greater than 0", "greater_than")]
    [InlineData("-1", "Input should be greater than 0", "greater_than")]
    [InlineData("1001", "Input should be less than or equal to 1000", "less_than_equal")]
    [InlineData("abc", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("1.5", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("5%00", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("%005", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("%20", "Input should be a valid integer, unable to parse string as an integer", "int_parsing")]
    [InlineData("99999999999999999999", "Input should be less than or equal to 1000", "less_than_equal")]
    public async Task List_LimitOutOfRange_Returns422(string limit, string msg, string type)
    {
        var response = await _client.GetApiAsync($"{GatewayHttp.EventsPath}?limit={limit}");

        JsonAssert.Invalid(response, ValidationDetail.Query("limit", msg, type));
    }

    [Theory]
    [InlineData("2147483648", "Input should be less than or equal to 2147483647", "less_than_equal")]
    [InlineData("-2147483649", "Input should be greater than or equal to -2147483648", "greater_than_equal")]
    [InlineData("9223372036854775807", "Input should be less than or equal to 2147483647", "less_than_equal")]
    public async Task List_PlayerIdBeyond32Bits_Returns422(string playerId, string msg, string type)
    {
        // RallyHere's clients read player_id as a 32-bit int, and no player id issued is larger.
        var response = await _client.GetApiAsync($"{GatewayHttp.EventsPath}?player_id={playerId}");

        JsonAssert.Invalid(response, ValidationDetail.Query("player_id", msg, type));
    }

    [Theory]
    [InlineData("%201")]
    [InlineData("1%20")]
    [InlineData("%09%201%0A")]
    [InlineData("%2B1")]
    [InlineData("01")]
    [InlineData("1.0")]
    public async Task List_LimitAsPydanticReadsAnIntegerString_IsThatLimit(string limit)
    {
        // As pydantic's lax mode reads an integer from a string (docs/api.md): surrounding whitespace, a leading
        // +, leading zeros and a fraction of zeros are dropped.
        var player = await _client.CreatePlayerAsync();
        var posted = await PostGrantsAsync(player, 2);

        var page = await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}&limit={limit}");

        Assert.Equal([ExpectedEvent.Id(posted[0])], page["events"]!.AsArray().Select(e => ExpectedEvent.Id(e!)));
        CursorOf(page);
    }

    [Theory]
    [InlineData("%20{id}%20")]
    [InlineData("%2B{id}")]
    public async Task List_PlayerIdAsPydanticReadsAnIntegerString_ReturnsThatPlayersEvents(string playerId)
    {
        var (player, _, mine, _) = await TwoPlayersWithEventsAsync();

        var page = await _client.ListEventsOkAsync("?player_id=" + playerId.Replace("{id}", player.Id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));

        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray([.. mine]), ["cursor"] = null }, page);
    }

    [Theory]
    [InlineData("1%00")]
    [InlineData("%001")]
    [InlineData("1%00%20")]
    public async Task List_PlayerIdHoldingNul_Returns422IntParsing(string playerId)
    {
        var response = await _client.GetApiAsync($"{GatewayHttp.EventsPath}?player_id={playerId}");

        JsonAssert.Invalid(response, ValidationDetail.Query("player_id", "Input should be a valid integer, unable to parse string as an integer", "int_parsing"));
    }

    [Fact]
    public async Task List_TamperedCursor_Returns422()
    {
        var player = await _client.CreatePlayerAsync();
        await PostGrantsAsync(player, 2);
        var cursor = CursorOf(await _client.ListEventsOkAsync($"?limit=1&player_uuid={player.Uuid}"));
        var tampered = string.Concat(cursor[..20], cursor[20] == 'A' ? "B" : "A", cursor[21..]);

        var responses = new[]
        {
            await _client.GetApiAsync($"{GatewayHttp.EventsPath}?limit=1&player_uuid={player.Uuid}&cursor={tampered}"),
            await _client.GetApiAsync($"{GatewayHttp.EventsPath}?limit=1&player_uuid={player.Uuid}&cursor={cursor[..^1]}"),
            await _client.GetApiAsync($"{GatewayHttp.EventsPath}?limit=1&player_uuid={player.Uuid}&cursor=not-a-cursor"),
        };

        Assert.All(responses, r => JsonAssert.Invalid(r, InvalidCursor));
    }

    /// <summary>
    /// A cursor is taken only as it was issued: the same bytes in the standard base64 alphabet, or with the last
    /// character's unused bits set, are refused as a forged cursor is.
    /// </summary>
    [Fact]
    public async Task List_CursorSpelledOtherwiseThanIssued_Returns422()
    {
        var player = await _client.CreatePlayerAsync();
        await PostGrantsAsync(player, 17);
        var cursors = new List<string>();
        for (var limit = 1; limit <= 16; limit++)
        {
            cursors.Add(CursorOf(await _client.ListEventsOkAsync($"?limit={limit}&player_uuid={player.Uuid}")));
        }

        var cursor = CursorSpellings.WithUrlSafeCharacters(cursors);

        Assert.Single((await _client.ListEventsOkAsync($"?limit=1&player_uuid={player.Uuid}&cursor={cursor}"))["events"]!.AsArray());
        foreach (var spelling in CursorSpellings.Of(cursor))
        {
            JsonAssert.Invalid(await _client.GetApiAsync($"{GatewayHttp.EventsPath}?limit=1&player_uuid={player.Uuid}&cursor={Uri.EscapeDataString(spelling)}"), InvalidCursor);
        }
    }

    [Fact]
    public async Task List_CursorIssuedForAnotherListing_Returns422()
    {
        var (player, other, _, _) = await TwoPlayersWithEventsAsync();
        var playerCursor = CursorOf(await _client.ListEventsOkAsync($"?limit=1&player_uuid={player.Uuid}"));
        var globalCursor = CursorOf(await _client.ListEventsOkAsync("?limit=1"));

        var otherPlayer = await _client.GetApiAsync($"{GatewayHttp.EventsPath}?limit=1&player_uuid={other.Uuid}&cursor={playerCursor}");
        var everybody = await _client.GetApiAsync($"{GatewayHttp.EventsPath}?limit=1&cursor={playerCursor}");
        var onePlayer = await _client.GetApiAsync($"{GatewayHttp.EventsPath}?limit=1&player_uuid={player.Uuid}&cursor={globalCursor}");
        var samePlayerById = await _client.ListEventsOkAsync($"?limit=1&player_id={player.Id}&cursor={playerCursor}");

        JsonAssert.Invalid(otherPlayer, InvalidCursor);
        JsonAssert.Invalid(everybody, InvalidCursor);
        JsonAssert.Invalid(onePlayer, InvalidCursor);
        Assert.Single(samePlayerById["events"]!.AsArray());
    }

    /// <summary>
    /// A player may have the nil UUID (linked by a build before 2026-12-08, which took it; now only the store makes
    /// one); everybody's listing is still another listing than its own.
    /// </summary>
    [Fact]
    public async Task List_CursorsOfTheNilUuidPlayerAndOfEverybody_AreNotTakenForEachOther()
    {
        var nil = (await Store.LinkPlatformUserAsync(Platform.Steam, Unique.Name("steam"), "Tester", Guid.Empty, DateTimeOffset.UtcNow)).Link;
        var grants = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            grants.Add(ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(nil.PlatformUserId, "gems_100", Unique.Name("tx")))));
        }

        var first = await _client.ListEventsOkAsync($"?limit=1&player_uuid={Guid.Empty}");
        var nilCursor = CursorOf(first);
        var globalCursor = CursorOf(await _client.ListEventsOkAsync("?limit=1"));

        JsonAssert.Invalid(await _client.GetApiAsync($"{GatewayHttp.EventsPath}?limit=1&cursor={nilCursor}"), InvalidCursor);
        JsonAssert.Invalid(await _client.GetApiAsync($"{GatewayHttp.EventsPath}?limit=1&player_uuid={Guid.Empty}&cursor={globalCursor}"), InvalidCursor);

        // In its own listing the cursor goes on to the player's other event.
        var second = await _client.ListEventsOkAsync($"?limit=1&player_uuid={Guid.Empty}&cursor={nilCursor}");
        Assert.Equal(
            grants.Order(StringComparer.Ordinal),
            new[] { first, second }.Select(page => ExpectedEvent.Id(Assert.Single(page["events"]!.AsArray())!)).Order(StringComparer.Ordinal));

        // A cursor of this listing issued by a build before 2026-12-06 still goes on from where it was.
        var firstVersion = Assert.Single(await Store.ReadPlayerEntitlementEventsAsync(Guid.Empty, 0, 1)).Version!.Value;
        var fromEarlierBuild = await _client.ListEventsOkAsync($"?limit=1&player_uuid={Guid.Empty}&cursor={await EarlierBuildCursorAsync(firstVersion)}");
        JsonAssert.Equal(second, fromEarlierBuild);
    }

    /// <summary>
    /// Builds before 2026-12-06 issued everybody's cursors in the player format with the nil UUID as scope; a
    /// consumer that kept one as its sync position goes on from it after the upgrade, not from the start.
    /// </summary>
    [Fact]
    public async Task List_EverybodysCursorIssuedByABuildBefore20261206_GoesOnAfterItsEvent()
    {
        var player = await _client.CreatePlayerAsync();
        var posted = await PostGrantsAsync(player, 3);
        var firstSequence = Assert.Single(await Store.ReadPlayerEntitlementEventsAsync(player.Uuid, 0, 1)).Sequence;

        var page = await _client.ListEventsOkAsync($"?limit=1&cursor={await EarlierBuildCursorAsync(firstSequence)}");
        var last = await _client.ListEventsOkAsync($"?limit=1&cursor={CursorOf(page)}");

        JsonAssert.Equal(new JsonArray(posted[1].DeepClone()), page["events"]);
        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray(posted[2].DeepClone()), ["cursor"] = null }, last);
    }

    [Fact]
    public async Task List_CursorLongerThan255Characters_Returns422StringTooLong()
    {
        var response = await _client.GetApiAsync($"{GatewayHttp.EventsPath}?cursor={new string('A', 256)}");
        var longest = await _client.GetApiAsync($"{GatewayHttp.EventsPath}?cursor={new string('A', 255)}");

        JsonAssert.Invalid(response, ValidationDetail.Query("cursor", "String should have at most 255 characters", "string_too_long"));
        JsonAssert.Invalid(longest, InvalidCursor);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("12345")]
    [InlineData("6f1a7a46-0d5e-4a53-9a0c-2f5b8d1e7c1")]
    public async Task List_BadPlayerUuid_Returns422UuidParsing(string playerUuid)
    {
        var response = await _client.GetApiAsync($"{GatewayHttp.EventsPath}?player_uuid={playerUuid}");

        JsonAssert.Invalid(response, ValidationDetail.Query("player_uuid", "Input should be a valid UUID", "uuid_parsing"));
    }

    [Fact]
    public async Task List_BadPlayerIdAndLimit_Returns422WithEveryProblem()
    {
        var response = await _client.GetApiAsync($"{GatewayHttp.EventsPath}?player_id=first&limit=0&player_uuid=x");

        JsonAssert.Invalid(
            response,
            ValidationDetail.Query("player_uuid", "Input should be a valid UUID", "uuid_parsing"),
            ValidationDetail.Query("player_id", "Input should be a valid integer, unable to parse string as an integer", "int_parsing"),
            ValidationDetail.Query("limit", "Input should be greater than 0", "greater_than"));
    }

    [Fact]
    public async Task List_WhileWritersAppend_SeesEveryAcknowledgedEventExactlyOnce()
    {
        var players = new List<Player>();
        for (var i = 0; i < 8; i++)
        {
            players.Add(await _client.CreatePlayerAsync());
        }

        var acknowledged = new ConcurrentBag<string>();
        var writers = Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var user = i % 5 == 4 ? Unique.Name("unlinked") : players[(writer + i) % players.Count].PlatformUserId;
                var response = await _client.PostEventAsync(EventRequests.Grant(user, i % 2 == 0 ? "gems_100" : "season_pass", Unique.Name("tx")));
                Assert.Equal(HttpStatusCode.OK, response.Status);
                acknowledged.Add(ExpectedEvent.Id(response.Json));
            }
        })));

        var seen = new List<string>();
        var seenSet = new HashSet<string>(StringComparer.Ordinal);
        string? heldCursor = null;
        var tail = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the reader did not reach the end in time");
            var writersDone = writers.IsCompleted;
            var page = await _client.ListEventsOkAsync("?limit=7" + (heldCursor is null ? "" : $"&cursor={heldCursor}"));
            var ids = page["events"]!.AsArray().Select(e => ExpectedEvent.Id(e!)).ToList();

            // A re-read from the held cursor starts with the events already seen after it, in the same order:
            // nothing can appear before them later.
            Assert.Equal(tail, ids.Take(tail.Count));
            foreach (var id in ids.Skip(tail.Count))
            {
                Assert.True(seenSet.Add(id), $"event {id} was listed twice");
                seen.Add(id);
            }

            if (page["cursor"]?.GetValue<string>() is { } next)
            {
                heldCursor = next;
                tail = [];
                continue;
            }

            tail = ids;
            if (writersDone)
            {
                break;
            }

            await Task.Delay(5);
        }

        await writers;
        Assert.Equal(80, acknowledged.Count);
        Assert.Subset(seenSet, acknowledged.ToHashSet(StringComparer.Ordinal));
        Assert.Equal(seen, (await _client.AllEventsAsync()).Select(ExpectedEvent.Id));
    }

    private ILedgerStore Store => fixture.App.Services.GetRequiredService<ILedgerStore>();

    private static ValidationDetail InvalidCursor => ValidationDetail.Query("cursor", "Invalid cursor: it was not issued for this listing", "value_error");

    private static string CursorOf(JsonObject page)
    {
        var cursor = page["cursor"]?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(cursor), $"expected a cursor in {page.ToJsonString()}");
        return cursor;
    }

    /// <summary>
    /// A cursor as builds before 2026-12-06 issued it for everybody's listing and the nil-UUID player's alike:
    /// format 1, the nil UUID, the position (big-endian), then the first 16 bytes of their HMAC-SHA256 under
    /// the database's cursor key, in unpadded base64url.
    /// </summary>
    private async Task<string> EarlierBuildCursorAsync(long position)
    {
        var cursor = new byte[1 + 16 + 8 + 16];
        cursor[0] = 1;
        BinaryPrimitives.WriteInt64BigEndian(cursor.AsSpan(17, 8), position);
        HMACSHA256.HashData(await Store.ReadCursorKeyAsync(), cursor.AsSpan(0, 25)).AsSpan(0, 16).CopyTo(cursor.AsSpan(25));
        return Base64Url.EncodeToString(cursor);
    }

    private async Task<List<JsonObject>> PostGrantsAsync(Player player, int count)
    {
        var posted = new List<JsonObject>();
        for (var i = 0; i < count; i++)
        {
            posted.Add(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, i % 2 == 0 ? "gems_100" : "credits_500", Unique.Name("tx"))));
        }

        return posted;
    }

    /// <summary>Two players; three events of the first interleaved with two of the second.</summary>
    private async Task<(Player Player, Player Other, List<JsonObject> Mine, List<JsonObject> Theirs)> TwoPlayersWithEventsAsync()
    {
        var player = await _client.CreatePlayerAsync();
        var other = await _client.CreatePlayerAsync();
        var mine = new List<JsonObject>();
        var theirs = new List<JsonObject>();
        var transaction = Unique.Name("tx");
        mine.Add(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", transaction)));
        theirs.Add(await _client.PostEventOkAsync(EventRequests.Grant(other.PlatformUserId, "gems_100", Unique.Name("tx"))));
        mine.Add(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", Unique.Name("tx"))));
        theirs.Add(await _client.PostEventOkAsync(EventRequests.Grant(other.PlatformUserId, "season_pass", Unique.Name("tx"))));
        mine.Add(await _client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "gems_100", transaction)));
        return (player, other, mine, theirs);
    }
}
