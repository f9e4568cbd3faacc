using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests;

/// <summary>Refunds, chargebacks and reversals over HTTP, checked through the player's current entitlements.</summary>
public sealed class EntitlementRevocationTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Refund_ConsumableWithRevokeOrReportAfterPartialUse_RevokesWhatIsLeft()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", transaction, quantity: 2));
        var consumed = await _client.ConsumeOkAsync(player.Uuid, "gems", 50);
        Assert.Equal(150, consumed["useCount"]!.GetValue<long>());

        var refund = await _client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "gems_100", transaction, quantity: 2));

        Assert.Equal("success", refund["status"]!.GetValue<string>());
        Assert.Equal(ExpectedEvent.Id(grant), refund["order_id"]!.GetValue<string>());
        JsonAssert.Equal(
            new JsonArray((Gems(player, grant, lastGrant: grant, updated: refund) with { Status = "REVOKED", UseCount = 0 }).ToJson()),
            await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Fact]
    public async Task Refund_ConsumableWithAllowNegative_CarriesADebtThatTheNextGrantPaysFirst()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "credits_500", transaction));
        await _client.ConsumeOkAsync(player.Uuid, "credits", 200);

        var refund = await _client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "credits_500", transaction));

        JsonAssert.Equal(
            new JsonArray((Credits(player, grant, lastGrant: grant, updated: refund) with { Status = "REVOKED", UseCount = -200 }).ToJson()),
            await _client.EntitlementsOkAsync(player.Uuid));

        var next = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "credits_500", Unique.Name("tx")));

        JsonAssert.Equal(
            new JsonArray((Credits(player, grant, lastGrant: next, updated: next) with { Status = "ACTIVE", UseCount = 300 }).ToJson()),
            await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Fact]
    public async Task ChargebackReversal_AfterChargeback_RestoresExactlyWhatWasRevoked()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", transaction, quantity: 2));
        await _client.ConsumeOkAsync(player.Uuid, "gems", 50);
        var chargeback = await _client.PostEventOkAsync(EventRequests.Create("chargeback", player.PlatformUserId, "gems_100", transaction, quantity: 2));
        JsonAssert.Equal(
            new JsonArray((Gems(player, grant, lastGrant: grant, updated: chargeback) with { Status = "REVOKED", UseCount = 0 }).ToJson()),
            await _client.EntitlementsOkAsync(player.Uuid));
        var other = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        var reversalRequest = EventRequests.Create("chargeback_reversal", player.PlatformUserId, "gems_100", transaction, quantity: 2);
        var reversal = await _client.PostEventOkAsync(reversalRequest);
        var replay = await _client.PostEventOkAsync(reversalRequest);

        (ExpectedEvent.For(reversalRequest, player) with { EntitlementType = "consumable", LootId = 1004, OrderId = ExpectedEvent.Id(grant) }).AssertMatches(reversal);
        JsonAssert.Equal(reversal, replay);
        JsonAssert.Equal(
            new JsonArray((Gems(player, grant, lastGrant: other, updated: reversal) with { Status = "ACTIVE", UseCount = 100 + 150 }).ToJson()),
            await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Fact]
    public async Task ChargebackReversal_WithoutChargeback_ChangesNothing()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", transaction));

        var reversal = await _client.PostEventOkAsync(EventRequests.Create("chargeback_reversal", player.PlatformUserId, "gems_100", transaction));

        Assert.Equal("success", reversal["status"]!.GetValue<string>());
        JsonAssert.Equal(
            new JsonArray((Gems(player, grant, lastGrant: grant, updated: grant) with { Status = "ACTIVE", UseCount = 100 }).ToJson()),
            await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Fact]
    public async Task Refund_Durable_RevokesTheEntitlement()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", transaction));
        JsonAssert.Equal(new JsonArray((SeasonPass(player, grant, grant) with { Status = "ACTIVE", UseCount = 1 }).ToJson()), await _client.EntitlementsOkAsync(player.Uuid));

        var refund = await _client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "season_pass", transaction));

        Assert.Equal(2001, grant["loot_id"]!.GetValue<long>());
        Assert.Null(refund["loot_id"]);
        JsonAssert.Equal(new JsonArray((SeasonPass(player, grant, refund) with { Status = "REVOKED", UseCount = 0 }).ToJson()), await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Fact]
    public async Task Grant_DurableSingleUseTwice_SecondGrantHasNoEffect()
    {
        var player = await _client.CreatePlayerAsync();
        var firstTransaction = Unique.Name("tx");
        var first = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "founders_pack", firstTransaction));

        var secondRequest = EventRequests.Grant(player.PlatformUserId, "founders_pack", Unique.Name("tx"));
        var second = await _client.PostEventOkAsync(secondRequest);

        (ExpectedEvent.For(secondRequest, player) with { EntitlementType = "durable_single_use", LootId = 3001, OrderIsOwnEvent = true }).AssertMatches(second);
        JsonAssert.Equal(new JsonArray((FoundersPack(player, first, first) with { Status = "ACTIVE", UseCount = 1 }).ToJson()), await _client.EntitlementsOkAsync(player.Uuid));

        var refund = await _client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "founders_pack", firstTransaction));
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "founders_pack", Unique.Name("tx")));

        JsonAssert.Equal(new JsonArray((FoundersPack(player, first, refund) with { Status = "REVOKED", UseCount = 0 }).ToJson()), await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Fact]
    public async Task Refund_WithNoMatchingGrant_SucceedsAndALaterGrantOfThatTransactionGivesNothing()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var refundRequest = EventRequests.Create("refund", player.PlatformUserId, "gems_100", transaction);

        var refund = await _client.PostEventAsync(refundRequest);

        Assert.Equal(HttpStatusCode.OK, refund.Status);
        (ExpectedEvent.For(refundRequest, player) with { EntitlementType = "consumable", LootId = 1002, OrderId = null }).AssertMatches(refund.Json);
        Assert.Empty(await _client.EntitlementsOkAsync(player.Uuid));

        var grantRequest = EventRequests.Grant(player.PlatformUserId, "gems_100", transaction);
        var grant = await _client.PostEventAsync(grantRequest);

        Assert.Equal(HttpStatusCode.OK, grant.Status);
        (ExpectedEvent.For(grantRequest, player) with { EntitlementType = "consumable", LootId = 1001, OrderIsOwnEvent = true }).AssertMatches(grant.Json);
        Assert.Empty(await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Fact]
    public async Task Refund_AfterChargeback_TakesNothingMore()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", transaction));
        var kept = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var chargeback = await _client.PostEventOkAsync(EventRequests.Create("chargeback", player.PlatformUserId, "gems_100", transaction));

        await _client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "gems_100", transaction));

        JsonAssert.Equal(
            new JsonArray((Gems(player, grant, lastGrant: kept, updated: chargeback) with { Status = "ACTIVE", UseCount = 100 }).ToJson()),
            await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Fact]
    public async Task Refund_AfterThePlatformUserIsRelinked_RevokesFromThePlayerWhoGotTheGrant()
    {
        var granted = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(granted.PlatformUserId, "gems_100", transaction));
        var now = Guid.NewGuid();
        var relink = await _client.SendAsync(
            HttpMethod.Put, $"/users/v1/platform-user?platform=Steam&platform_user_id={granted.PlatformUserId}&display_name=Tester&player_uuid={now}");
        Assert.Equal(now.ToString(), relink.Json["player_uuid"]!.GetValue<string>());

        var refund = await _client.PostEventOkAsync(EventRequests.Create("refund", granted.PlatformUserId, "gems_100", transaction));
        var chargeback = await _client.PostEventOkAsync(EventRequests.Create("chargeback", granted.PlatformUserId, "gems_100", transaction));
        var reversal = await _client.PostEventOkAsync(EventRequests.Create("chargeback_reversal", granted.PlatformUserId, "gems_100", transaction));

        foreach (var revocation in new[] { refund, chargeback, reversal })
        {
            Assert.Equal(granted.Uuid.ToString(), revocation["player_uuid"]!.GetValue<string>());
            Assert.Equal("success", revocation["status"]!.GetValue<string>());
            Assert.Equal(ExpectedEvent.Id(grant), revocation["order_id"]!.GetValue<string>());
        }

        JsonAssert.Equal(
            new JsonArray((Gems(granted, grant, lastGrant: grant, updated: refund) with { Status = "REVOKED", UseCount = 0 }).ToJson()),
            await _client.EntitlementsOkAsync(granted.Uuid));
        Assert.Empty(await _client.EntitlementsOkAsync(now));
    }

    [Fact]
    public async Task Refund_WithoutPlayerUuidOfAGrantSentToAnExplicitPlayer_RevokesFromThatPlayer()
    {
        var player = await _client.CreatePlayerAsync();
        var unlinked = Unique.Name("steam");
        var transaction = Unique.Name("tx");
        var grant = await _client.PostEventOkAsync(EventRequests.Create("grant", unlinked, "gems_100", transaction, playerUuid: player.Uuid));

        var refund = await _client.PostEventOkAsync(EventRequests.Create("refund", unlinked, "gems_100", transaction));

        Assert.Equal(player.Uuid.ToString(), refund["player_uuid"]!.GetValue<string>());
        Assert.Equal("success", refund["status"]!.GetValue<string>());
        Assert.Equal(ExpectedEvent.Id(grant), refund["order_id"]!.GetValue<string>());
        JsonAssert.Equal(
            new JsonArray((Gems(player, grant, lastGrant: grant, updated: refund) with { Status = "REVOKED", UseCount = 0 }).ToJson()),
            await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Fact]
    public async Task Refund_OfAPlatformUserLinkedToNobody_BlocksALaterGrantThatNamesAPlayer()
    {
        var player = await _client.CreatePlayerAsync();
        var unlinked = Unique.Name("steam");
        var transaction = Unique.Name("tx");
        var refundRequest = EventRequests.Create("refund", unlinked, "gems_100", transaction);
        var refund = await _client.PostEventOkAsync(refundRequest);
        Assert.Equal("player_not_found", refund["status"]!.GetValue<string>());
        Assert.Null(refund["player_uuid"]);

        var grant = await _client.PostEventOkAsync(EventRequests.Create("grant", unlinked, "gems_100", transaction, playerUuid: player.Uuid));
        var replay = await _client.PostEventOkAsync(refundRequest);
        var chargeback = await _client.PostEventOkAsync(EventRequests.Create("chargeback", unlinked, "gems_100", transaction));

        // The money is back with the buyer whichever came first: the grant gives nothing, as after a player's refund.
        Assert.Equal("success", grant["status"]!.GetValue<string>());
        Assert.Equal(player.Uuid.ToString(), grant["player_uuid"]!.GetValue<string>());
        JsonAssert.Equal(refund, replay);
        Assert.Equal(player.Uuid.ToString(), chargeback["player_uuid"]!.GetValue<string>());
        Assert.Equal("success", chargeback["status"]!.GetValue<string>());
        Assert.Empty(await _client.EntitlementsOkAsync(player.Uuid));
    }

    [Fact]
    public async Task Refund_OfAPlatformUserLinkedToNobody_BlocksTheGrantSentAfterTheUserIsLinked()
    {
        var unlinked = Unique.Name("steam");
        var transaction = Unique.Name("tx");
        var refund = await _client.PostEventOkAsync(EventRequests.Create("refund", unlinked, "gems_100", transaction));
        var player = Guid.NewGuid();
        var link = await _client.SendAsync(
            HttpMethod.Put, $"/users/v1/platform-user?platform=Steam&platform_user_id={unlinked}&display_name=Tester&player_uuid={player}");
        Assert.Equal(player.ToString(), link.Json["player_uuid"]!.GetValue<string>());

        var grant = await _client.PostEventOkAsync(EventRequests.Grant(unlinked, "gems_100", transaction));

        Assert.Equal("player_not_found", refund["status"]!.GetValue<string>());
        Assert.Equal("success", grant["status"]!.GetValue<string>());
        Assert.Equal(player.ToString(), grant["player_uuid"]!.GetValue<string>());
        Assert.Empty(await _client.EntitlementsOkAsync(player));
    }

    private static ExpectedEntitlement Gems(Player player, JsonObject firstGrant, JsonObject lastGrant, JsonObject updated) =>
        Consumable(player, firstGrant, lastGrant, updated, "gems", "Gems", "gems_100");

    private static ExpectedEntitlement Credits(Player player, JsonObject firstGrant, JsonObject lastGrant, JsonObject updated) =>
        Consumable(player, firstGrant, lastGrant, updated, "credits", "Credits", "credits_500");

    private static ExpectedEntitlement Consumable(Player player, JsonObject firstGrant, JsonObject lastGrant, JsonObject updated, string itemId, string name, string sku) =>
        Expected(player, firstGrant, lastGrant, updated, itemId, name, sku, consumable: true, clazz: "ENTITLEMENT");

    private static ExpectedEntitlement SeasonPass(Player player, JsonObject grant, JsonObject updated) =>
        Expected(player, grant, grant, updated, "season_pass_1", "Season Pass 1", "season_pass", consumable: false, clazz: "SUBSCRIPTION");

    private static ExpectedEntitlement FoundersPack(Player player, JsonObject grant, JsonObject updated) =>
        Expected(player, grant, grant, updated, "founders_pack", "Founder's Pack", "founders_pack", consumable: false, clazz: "ENTITLEMENT");

    /// <summary>The entitlement's fixed fields; status and use count are set with <c>with</c> by each test.</summary>
    private static ExpectedEntitlement Expected(Player player, JsonObject firstGrant, JsonObject lastGrant, JsonObject updated, string itemId, string name, string sku, bool consumable, string clazz) =>
        new()
        {
            FirstEventId = ExpectedEvent.Id(firstGrant),
            Player = player,
            ItemId = itemId,
            Name = name,
            Sku = sku,
            Consumable = consumable,
            Clazz = clazz,
            Status = "?",
            UseCount = 0,
            GrantedAt = WireTime.ToAccelByte(ExpectedEvent.Created(lastGrant)),
            CreatedAt = WireTime.ToAccelByte(ExpectedEvent.Created(firstGrant)),
            UpdatedAt = WireTime.ToAccelByte(ExpectedEvent.Created(updated)),
        };
}
