using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests;

/// <summary>A player's current entitlements (AccelByte's <c>EntitlementInfo</c>) and consumption.</summary>
public sealed class PlayerEntitlementsApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Get_PlayerWithoutEvents_ReturnsAnEmptyPage()
    {
        var player = await _client.CreatePlayerAsync();

        var response = await _client.GetEntitlementsAsync(player.Uuid);

        JsonAssert.Response(HttpStatusCode.OK, JsonNode.Parse("""{"data":[],"paging":{"previous":null,"next":null}}""")!, response);
    }

    [Fact]
    public async Task Get_UnknownPlayer_Returns404PlayerNotFound()
    {
        var unknown = Guid.NewGuid();

        var response = await _client.GetEntitlementsAsync(unknown);

        JsonAssert.Error(HttpStatusCode.NotFound, "player_not_found", $"No player with player_uuid {unknown}.", response);
    }

    [Fact]
    public async Task Get_BadPlayerUuid_Returns422()
    {
        var response = await _client.GetApiAsync("/inventory/v1/player/player-one/entitlements");

        JsonAssert.Invalid(response, ValidationDetail.Path("player_uuid", "Input should be a valid UUID", "uuid_parsing"));
    }

    [Fact]
    public async Task Get_DurableAndConsumable_LeavesOutTheFieldsWithNoValue()
    {
        var player = await _client.CreatePlayerAsync();
        var gems = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var pass = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", Unique.Name("tx")));

        var response = await _client.GetEntitlementsAsync(player.Uuid);

        var user = player.Uuid.ToString("N");
        var gemsAt = WireTime.ToAccelByte(ExpectedEvent.Created(gems));
        var passAt = WireTime.ToAccelByte(ExpectedEvent.Created(pass));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(
            $$$"""{"data":[{"id":"{{{Guid.Parse(ExpectedEvent.Id(gems)):N}}}","namespace":"game","clazz":"ENTITLEMENT","type":"CONSUMABLE","status":"ACTIVE","sku":"gems_100","userId":"{{{user}}}","itemId":"gems","itemNamespace":"game","name":"Gems","useCount":100,"source":"PURCHASE","grantedAt":"{{{gemsAt}}}","createdAt":"{{{gemsAt}}}","updatedAt":"{{{gemsAt}}}","stackable":true,"stackedUseCount":100},"""
            + $$$"""{"id":"{{{Guid.Parse(ExpectedEvent.Id(pass)):N}}}","namespace":"game","clazz":"SUBSCRIPTION","type":"DURABLE","status":"ACTIVE","sku":"season_pass","userId":"{{{user}}}","itemId":"season_pass_1","itemNamespace":"game","name":"Season Pass 1","useCount":1,"source":"PURCHASE","grantedAt":"{{{passAt}}}","createdAt":"{{{passAt}}}","updatedAt":"{{{passAt}}}","stackable":false}],"paging":{"previous":null,"next":null}}""",
            response.Body);
    }

    [Fact]
    public async Task Get_SeveralItems_ListsOneEntitlementPerItem()
    {
        var player = await _client.CreatePlayerAsync();
        var gems = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var pass = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", Unique.Name("tx")));
        var moreGems = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"), quantity: 2));

        var data = await _client.EntitlementsOkAsync(player.Uuid);

        JsonAssert.Equal(
            new JsonArray(
                new ExpectedEntitlement
                {
                    FirstEventId = ExpectedEvent.Id(gems),
                    Player = player,
                    ItemId = "gems",
                    Name = "Gems",
                    Sku = "gems_100",
                    Consumable = true,
                    Status = "ACTIVE",
                    UseCount = 300,
                    GrantedAt = WireTime.ToAccelByte(ExpectedEvent.Created(moreGems)),
                    CreatedAt = WireTime.ToAccelByte(ExpectedEvent.Created(gems)),
                    UpdatedAt = WireTime.ToAccelByte(ExpectedEvent.Created(moreGems)),
                }.ToJson(),
                new ExpectedEntitlement
                {
                    FirstEventId = ExpectedEvent.Id(pass),
                    Player = player,
                    ItemId = "season_pass_1",
                    Name = "Season Pass 1",
                    Sku = "season_pass",
                    Consumable = false,
                    Clazz = "SUBSCRIPTION",
                    Status = "ACTIVE",
                    UseCount = 1,
                    GrantedAt = WireTime.ToAccelByte(ExpectedEvent.Created(pass)),
                    CreatedAt = WireTime.ToAccelByte(ExpectedEvent.Created(pass)),
                    UpdatedAt = WireTime.ToAccelByte(ExpectedEvent.Created(pass)),
                }.ToJson()),
            data);
    }

    [Fact]
    public async Task Get_BalanceBeyondInt32_ListsTheInt32BoundAsAccelBytesSchemaTypesIt()
    {
        var player = await _client.CreatePlayerAsync();
        var sku = Unique.Name("sku");
        var entry = new JsonObject
        {
            ["loot_entitlement"] = new JsonObject { ["type"] = "consumable", ["loot_id"] = 5 },
            ["item_id"] = Unique.Name("item"),
            ["item_name"] = "Gems",
            ["units_per_quantity"] = 1_000_000_000,
        };
        Assert.Equal(HttpStatusCode.OK, (await _client.PutCatalogAsync("Steam", sku, entry)).Status);

        // 3 × 1,000,000,000: a balance of 3e9, within the gateway's bounds, beyond AccelByte's int32 useCount.
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, sku, Unique.Name("tx"), quantity: 3));
        var listed = Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!;
        var consumed = await _client.ConsumeOkAsync(player.Uuid, entry["item_id"]!.GetValue<string>(), 1);

        Assert.Equal((int.MaxValue, int.MaxValue), (listed["useCount"]!.GetValue<long>(), listed["stackedUseCount"]!.GetValue<long>()));
        Assert.Equal((int.MaxValue, int.MaxValue), (consumed["useCount"]!.GetValue<long>(), consumed["stackedUseCount"]!.GetValue<long>()));
    }

    /// <summary>A consume counts units, not SKUs: one far beyond a grant's quantity bound takes it from the balance at once.</summary>
    [Fact]
    public async Task Consume_MoreUnitsThanAGrantsQuantityBound_TakesThemInOneCall()
    {
        var player = await _client.CreatePlayerAsync();
        var sku = Unique.Name("sku");
        var item = Unique.Name("item");
        var entry = new JsonObject
        {
            ["loot_entitlement"] = new JsonObject { ["type"] = "consumable", ["loot_id"] = 5 },
            ["item_id"] = item,
            ["item_name"] = "Credits",
            ["units_per_quantity"] = 1_000_000,
        };
        Assert.Equal(HttpStatusCode.OK, (await _client.PutCatalogAsync("Steam", sku, entry)).Status);
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, sku, Unique.Name("tx"), quantity: 5));

        var tooMany = await Consume(player.Uuid, item, long.MaxValue, Unique.Name("op"));
        var consumed = await Consume(player.Uuid, item, 2_000_000, Unique.Name("op"));

        JsonAssert.Error(HttpStatusCode.Conflict, "insufficient_balance", $"The player's balance of item '{item}' is below 9223372036854775807.", tooMany);
        Assert.Equal(HttpStatusCode.OK, consumed.Status);
        Assert.Equal(3_000_000, consumed.Json["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Get_DurableGrantedByTwoTransactions_StaysOneEntitlementUntilBothAreRefunded()
    {
        var player = await _client.CreatePlayerAsync();
        var first = Unique.Name("tx");
        var second = Unique.Name("tx");
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", first));
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", second));
        var twice = Assert.Single(await _client.EntitlementsOkAsync(player.Uuid));

        await _client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "season_pass", first));
        var afterOne = Assert.Single(await _client.EntitlementsOkAsync(player.Uuid));
        await _client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "season_pass", second));
        var afterBoth = Assert.Single(await _client.EntitlementsOkAsync(player.Uuid));

        Assert.Equal(("ACTIVE", 1L), (twice!["status"]!.GetValue<string>(), twice["useCount"]!.GetValue<long>()));
        Assert.Equal(("ACTIVE", 1L), (afterOne!["status"]!.GetValue<string>(), afterOne["useCount"]!.GetValue<long>()));
        Assert.Equal(("REVOKED", 0L), (afterBoth!["status"]!.GetValue<string>(), afterBoth["useCount"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Consume_PartOfABalance_ReturnsTheEntitlementWithTheRest()
    {
        var player = await _client.CreatePlayerAsync();
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        var consumed = await Consume(player.Uuid, "gems", 30, Unique.Name("op"));

        Assert.Equal(HttpStatusCode.OK, consumed.Status);
        var updatedAt = consumed.Json["updatedAt"]!.GetValue<string>();
        Assert.Matches(WireTime.AccelByte(), updatedAt);
        var expected = new ExpectedEntitlement
        {
            FirstEventId = ExpectedEvent.Id(grant),
            Player = player,
            ItemId = "gems",
            Name = "Gems",
            Sku = "gems_100",
            Consumable = true,
            Status = "ACTIVE",
            UseCount = 70,
            GrantedAt = WireTime.ToAccelByte(ExpectedEvent.Created(grant)),
            CreatedAt = WireTime.ToAccelByte(ExpectedEvent.Created(grant)),
            UpdatedAt = updatedAt,
        }.ToJson();
        JsonAssert.Response(HttpStatusCode.OK, expected, consumed);
        JsonAssert.Equal(new JsonArray(expected.DeepClone()), await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Fact]
    public async Task Consume_WholeBalance_MarksTheEntitlementConsumed()
    {
        var player = await _client.CreatePlayerAsync();
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        var consumed = await _client.ConsumeOkAsync(player.Uuid, "gems", 100);

        Assert.Equal(("CONSUMED", 0L), (consumed["status"]!.GetValue<string>(), consumed["useCount"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Consume_SameOperationTwice_DeductsOnce()
    {
        var player = await _client.CreatePlayerAsync();
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var operation = Unique.Name("op");

        var first = await Consume(player.Uuid, "gems", 40, operation);
        var second = await Consume(player.Uuid, "gems", 40, operation);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(first.ToString(), second.ToString());
        Assert.Equal(60, Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Consume_SameOperationWithAnotherQuantity_Returns409()
    {
        var player = await _client.CreatePlayerAsync();
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var operation = Unique.Name("op");
        await Consume(player.Uuid, "gems", 40, operation);

        var response = await Consume(player.Uuid, "gems", 41, operation);

        JsonAssert.Error(HttpStatusCode.Conflict, "operation_conflict", $"Operation '{operation}' was already used with a different request.", response);
        Assert.Equal(60, Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Consume_MoreThanTheBalance_Returns409AndDeductsNothing()
    {
        var player = await _client.CreatePlayerAsync();
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        var response = await Consume(player.Uuid, "gems", 101, Unique.Name("op"));

        JsonAssert.Error(HttpStatusCode.Conflict, "insufficient_balance", "The player's balance of item 'gems' is below 101.", response);
        Assert.Equal(100, Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Consume_ItemNotOwned_Returns404()
    {
        var player = await _client.CreatePlayerAsync();

        var response = await Consume(player.Uuid, "gems", 1, Unique.Name("op"));

        JsonAssert.Error(HttpStatusCode.NotFound, "entitlement_not_found", "The player has no entitlement for item 'gems'.", response);
    }

    [Fact]
    public async Task Consume_Durable_Returns409NotConsumable()
    {
        var player = await _client.CreatePlayerAsync();
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", Unique.Name("tx")));

        var response = await Consume(player.Uuid, "season_pass_1", 1, Unique.Name("op"));

        JsonAssert.Error(HttpStatusCode.Conflict, "entitlement_not_consumable", "Item 'season_pass_1' is not a consumable.", response);
    }

    [Fact]
    public async Task Consume_UnknownPlayer_Returns404()
    {
        var unknown = Guid.NewGuid();

        var response = await Consume(unknown, "gems", 1, Unique.Name("op"));

        JsonAssert.Error(HttpStatusCode.NotFound, "player_not_found", $"No player with player_uuid {unknown}.", response);
    }

    [Fact]
    public async Task Consume_InvalidBody_Returns422ListingEveryProblem()
    {
        var player = await _client.CreatePlayerAsync();

        var response = await _client.SendAsync(HttpMethod.Post, $"/inventory/v1/player/{player.Uuid}/entitlements/consume", """{"item_id":"","quantity":0}""");

        JsonAssert.Invalid(
            response,
            ValidationDetail.Body("item_id", "String should have at least 1 character", "string_too_short"),
            ValidationDetail.Body("quantity", "Input should be greater than 0", "greater_than"),
            ValidationDetail.Missing("operation_id"));
    }

    [Theory]
    [InlineData("", "Field required", "missing")]
    [InlineData("null", "Field required", "missing")]
    [InlineData("[]", "Input should be a valid dictionary or object to extract fields from", "model_attributes_type")]
    [InlineData("30", "Input should be a valid dictionary or object to extract fields from", "model_attributes_type")]
    public async Task Consume_BodyMissingOrNotAnObject_Returns422(string body, string msg, string type)
    {
        var player = await _client.CreatePlayerAsync();

        var response = await _client.SendAsync(HttpMethod.Post, $"/inventory/v1/player/{player.Uuid}/entitlements/consume", body);

        JsonAssert.Invalid(response, new ValidationDetail(["body"], msg, type));
    }

    [Fact]
    public async Task Consume_ValidBodySentAsTextPlain_Returns422AndConsumesNothing()
    {
        var player = await _client.CreatePlayerAsync();
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var body = new JsonObject { ["item_id"] = "gems", ["quantity"] = 30, ["operation_id"] = Unique.Name("op") }.ToJsonString();

        var response = await _client.SendAsync(HttpMethod.Post, $"/inventory/v1/player/{player.Uuid}/entitlements/consume", body, request =>
            request.Content!.Headers.ContentType = new("text/plain"));

        JsonAssert.Invalid(response, new ValidationDetail(["body"], "Input should be a valid dictionary or object to extract fields from", "model_attributes_type"));
        Assert.Equal(100, Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    /// <summary>FastAPI answers 400 for a body Python's json.loads cannot read: an integer of more than 4,300 digits.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("-")]
    public async Task Consume_QuantityOfMoreDigitsThanPythonReads_Returns400AndConsumesNothing(string sign)
    {
        var player = await _client.CreatePlayerAsync();
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var body = $$"""{"item_id":"gems","quantity":{{sign}}{{new string('3', 4301)}},"operation_id":"{{Unique.Name("op")}}"}""";

        var response = await _client.SendAsync(HttpMethod.Post, $"/inventory/v1/player/{player.Uuid}/entitlements/consume", body);

        JsonAssert.BodyNotParsed(response);
        Assert.Equal(100, Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    /// <summary>
    /// FastAPI reads a UTF-16 or UTF-32 body as Python's <c>json.loads(bytes)</c> decodes it: consumed as in UTF-8;
    /// one Python cannot decode (UTF-16 of an odd length) is its 400, and nothing is consumed.
    /// </summary>
    [Theory]
    [MemberData(nameof(PythonEncodings.NotUtf8), MemberType = typeof(PythonEncodings))]
    public async Task Consume_BodyInUtf16OrUtf32_IsReadAsPythonDecodesIt(string encoding)
    {
        var player = await _client.CreatePlayerAsync();
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var path = $"/inventory/v1/player/{player.Uuid}/entitlements/consume";
        var body = PythonEncodings.Encode(new JsonObject { ["item_id"] = "gems", ["quantity"] = 30, ["operation_id"] = Unique.Name("op") }.ToJsonString(), encoding);

        var cut = await _client.SendBytesAsync(HttpMethod.Post, path, [.. body, 0x20]);
        var consumed = await _client.SendBytesAsync(HttpMethod.Post, path, body);

        JsonAssert.BodyNotParsed(cut);
        Assert.Equal(HttpStatusCode.OK, consumed.Status);
        Assert.Equal(70, consumed.Json["useCount"]!.GetValue<long>());
        Assert.Equal(70, Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    private Task<ApiResponse> Consume(Guid player, string itemId, long quantity, string operation) =>
        _client.SendAsync(
            HttpMethod.Post,
            $"/inventory/v1/player/{player}/entitlements/consume",
            new JsonObject { ["item_id"] = itemId, ["quantity"] = quantity, ["operation_id"] = operation }.ToJsonString());
}
