using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests;

/// <summary><c>POST /inventory/v1/entitlement-event</c>: what each kind of event records and answers.</summary>
public sealed class EntitlementEventPostTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Post_GrantForLinkedPlayer_ReturnsSuccessEventWithCatalogFields()
    {
        var player = await _client.CreatePlayerAsync();
        var request = EventRequests.Create("grant", player.PlatformUserId, "gems_100", Unique.Name("tx"), quantity: 2,
            platformData: new JsonObject { ["order"] = "A-1", ["price"] = new JsonObject { ["cents"] = 499, ["currency"] = "EUR" } });

        var response = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var expected = ExpectedEvent.For(request, player) with { EntitlementType = "consumable", LootId = 1001, OrderIsOwnEvent = true };
        var grantId = expected.AssertMatches(response.Json);
        var created = WireTime.ToAccelByte(ExpectedEvent.Created(response.Json));
        JsonAssert.Equal(
            new JsonArray(new ExpectedEntitlement
            {
                FirstEventId = grantId,
                Player = player,
                ItemId = "gems",
                Name = "Gems",
                Sku = "gems_100",
                Consumable = true,
                Status = "ACTIVE",
                UseCount = 200,
                GrantedAt = created,
                CreatedAt = created,
                UpdatedAt = created,
            }.ToJson()),
            await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Theory]
    [InlineData("refund", 1002L)]
    [InlineData("chargeback", 1003L)]
    [InlineData("chargeback_reversal", 1004L)]
    public async Task Post_ActionAfterGrant_CarriesGrantAsOrderAndLootIdOfTheAction(string actionType, long lootId)
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", transaction));
        if (actionType == "chargeback_reversal")
        {
            await _client.PostEventOkAsync(EventRequests.Create("chargeback", player.PlatformUserId, "gems_100", transaction));
        }

        var request = EventRequests.Create(actionType, player.PlatformUserId, "gems_100", transaction);
        var response = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var expected = ExpectedEvent.For(request, player) with { EntitlementType = "consumable", LootId = lootId, OrderId = ExpectedEvent.Id(grant) };
        expected.AssertMatches(response.Json);
    }

    [Fact]
    public async Task Post_AllFourActionTypes_AreListedForThePlayerInOrder()
    {
        var player = await _client.CreatePlayerAsync();
        var first = Unique.Name("tx");
        var second = Unique.Name("tx");
        var requests = new[]
        {
            EventRequests.Grant(player.PlatformUserId, "gems_100", first),
            EventRequests.Create("chargeback", player.PlatformUserId, "gems_100", first),
            EventRequests.Create("chargeback_reversal", player.PlatformUserId, "gems_100", first),
            EventRequests.Grant(player.PlatformUserId, "gems_100", second),
            EventRequests.Create("refund", player.PlatformUserId, "gems_100", second),
        };
        var events = new JsonArray();
        foreach (var request in requests)
        {
            events.Add(await _client.PostEventOkAsync(request));
        }

        Assert.Equal(["grant", "chargeback", "chargeback_reversal", "grant", "refund"], events.Select(e => e!["action_type"]!.GetValue<string>()));
        Assert.All(events, e => Assert.Equal("success", e!["status"]!.GetValue<string>()));
        JsonAssert.Equal(new JsonObject { ["events"] = events, ["cursor"] = null }, await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}"));
        var entitlement = Assert.Single(await _client.EntitlementsOkAsync(player.Uuid));
        Assert.Equal(100, entitlement!["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Post_UnknownSku_RecordsSkuNotFoundWithNoEffect()
    {
        var player = await _client.CreatePlayerAsync();
        var request = EventRequests.Grant(player.PlatformUserId, Unique.Name("no-such-sku"), Unique.Name("tx"), quantity: 3);

        var response = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var expected = ExpectedEvent.For(request, player) with { Status = "sku_not_found", EntitlementType = null, LootId = null, OrderId = null };
        expected.AssertMatches(response.Json);
        Assert.Empty(await _client.EntitlementsOkAsync(player.Uuid));
        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray(response.Json), ["cursor"] = null }, await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}"));
    }

    [Fact]
    public async Task Post_UnlinkedPlatformUser_RecordsPlayerNotFoundListedWithoutPlayer()
    {
        var request = EventRequests.Grant(Unique.Name("unlinked"), "gems_100", Unique.Name("tx"));

        var response = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var expected = ExpectedEvent.For(request, player: null) with { Status = "player_not_found", EntitlementType = "consumable", LootId = 1001, OrderId = null };
        var eventId = expected.AssertMatches(response.Json);
        var listed = Assert.Single(await _client.AllEventsAsync(), e => ExpectedEvent.Id(e) == eventId);
        JsonAssert.Equal(response.Json, listed);
    }

    [Fact]
    public async Task Post_GiftCardRefund_RecordsNotImplementedAndKeepsEntitlement()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gift_card", transaction));
        var request = EventRequests.Create("refund", player.PlatformUserId, "gift_card", transaction);

        var response = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var expected = ExpectedEvent.For(request, player) with { Status = "not_implemented", EntitlementType = "consumable", LootId = null, OrderId = ExpectedEvent.Id(grant) };
        expected.AssertMatches(response.Json);
        var created = WireTime.ToAccelByte(ExpectedEvent.Created(grant));
        JsonAssert.Equal(
            new JsonArray(new ExpectedEntitlement
            {
                FirstEventId = ExpectedEvent.Id(grant),
                Player = player,
                ItemId = "gift_credit",
                Name = "Gift Credit",
                Sku = "gift_card",
                Consumable = true,
                Status = "ACTIVE",
                UseCount = 1,
                GrantedAt = created,
                CreatedAt = created,
                UpdatedAt = created,
            }.ToJson()),
            await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Theory]
    [InlineData("sku_not_found")]
    [InlineData("not_implemented")]
    [InlineData("player_not_found")]
    [InlineData("ban_failed")]
    public async Task Post_CallerSuppliedStatus_RecordedAsGivenWithoutEffect(string status)
    {
        var player = await _client.CreatePlayerAsync();
        var request = EventRequests.Create("grant", player.PlatformUserId, "gems_100", Unique.Name("tx"), status: status);

        var response = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var expected = ExpectedEvent.For(request, player) with { Status = status, EntitlementType = "consumable", LootId = 1001, OrderId = null };
        expected.AssertMatches(response.Json);
        Assert.Empty(await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Fact]
    public async Task Post_CallerSuppliedSuccess_IsApplied()
    {
        var player = await _client.CreatePlayerAsync();
        var request = EventRequests.Create("grant", player.PlatformUserId, "season_pass", Unique.Name("tx"), status: "success");

        var response = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var expected = ExpectedEvent.For(request, player) with { EntitlementType = "durable", LootId = 2001, OrderIsOwnEvent = true };
        expected.AssertMatches(response.Json);
        var entitlement = Assert.Single(await _client.EntitlementsOkAsync(player.Uuid));
        Assert.Equal("ACTIVE", entitlement!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_ExplicitPlayerUuid_OverridesThePlatformUsersPlayer()
    {
        var linked = await _client.CreatePlayerAsync();
        var other = await _client.CreatePlayerAsync();
        var request = EventRequests.Create("grant", linked.PlatformUserId, "gems_100", Unique.Name("tx"), playerUuid: other.Uuid);

        var response = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var expected = ExpectedEvent.For(request, other) with { EntitlementType = "consumable", LootId = 1001, OrderIsOwnEvent = true };
        expected.AssertMatches(response.Json);
        Assert.Equal(100, Assert.Single(await _client.EntitlementsOkAsync(other.Uuid))!["useCount"]!.GetValue<long>());
        Assert.Empty(await _client.EntitlementsOkAsync(linked.Uuid));
        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray(), ["cursor"] = null }, await _client.ListEventsOkAsync($"?player_uuid={linked.Uuid}"));
    }

    [Fact]
    public async Task Post_ExplicitUnknownPlayerUuid_Returns404AndRecordsNothing()
    {
        var player = await _client.CreatePlayerAsync();
        var unknown = Guid.NewGuid();
        var transaction = Unique.Name("tx");
        var request = EventRequests.Create("grant", player.PlatformUserId, "gems_100", transaction, playerUuid: unknown);

        var response = await _client.PostEventAsync(request);

        JsonAssert.Error(HttpStatusCode.NotFound, "player_not_found", $"No player with player_uuid {unknown}.", response);
        Assert.DoesNotContain(await _client.AllEventsAsync(), e => e["platform_transaction_id"]!.GetValue<string>() == transaction);
        Assert.Empty(await _client.EntitlementsOkAsync(player.Uuid));
    }

    /// <summary>A SKU changes its type by mapping a new item (an item keeps its type); each event keeps its time's.</summary>
    [Fact]
    public async Task Post_AfterCatalogTypeChange_EachEventKeepsTheTypeOfItsTime()
    {
        var sku = Unique.Name("sku");
        var player = await _client.CreatePlayerAsync();
        await PutCatalogAsync(sku, "durable", lootId: 7001);
        var before = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, sku, Unique.Name("tx")));
        await PutCatalogAsync(sku, "consumable", lootId: 7002, itemId: sku + "-charges");
        var afterRequest = EventRequests.Grant(player.PlatformUserId, sku, Unique.Name("tx"));

        var after = await _client.PostEventAsync(afterRequest);

        Assert.Equal(HttpStatusCode.OK, after.Status);
        (ExpectedEvent.For(afterRequest, player) with { EntitlementType = "consumable", LootId = 7002, OrderIsOwnEvent = true }).AssertMatches(after.Json);
        Assert.Equal("durable", before["entitlement_type"]!.GetValue<string>());
        Assert.Equal(7001, before["loot_id"]!.GetValue<long>());
        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray(before.DeepClone(), after.Json), ["cursor"] = null }, await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}"));
    }

    [Fact]
    public async Task Post_ForNewPlayers_CarriesEachPlayersSequentialId()
    {
        var first = await _client.CreatePlayerAsync();
        var second = await _client.CreatePlayerAsync();

        var firstEvent = await _client.PostEventOkAsync(EventRequests.Grant(first.PlatformUserId, "season_pass", Unique.Name("tx")));
        var secondEvent = await _client.PostEventOkAsync(EventRequests.Grant(second.PlatformUserId, "season_pass", Unique.Name("tx")));

        Assert.Equal(first.Id + 1, second.Id);
        Assert.Equal(first.Id, firstEvent["player_id"]!.GetValue<long>());
        Assert.Equal(second.Id, secondEvent["player_id"]!.GetValue<long>());
    }

    private async Task PutCatalogAsync(string sku, string type, long lootId, string? itemId = null)
    {
        var response = await _client.PutCatalogAsync("Steam", sku, new JsonObject
        {
            ["loot_entitlement"] = new JsonObject { ["type"] = type, ["loot_id"] = lootId },
            ["item_id"] = itemId ?? sku,
            ["item_name"] = "Test item",
        });
        Assert.True(response.Status == HttpStatusCode.OK, $"PUT catalog {sku} answered {response}");
    }
}
