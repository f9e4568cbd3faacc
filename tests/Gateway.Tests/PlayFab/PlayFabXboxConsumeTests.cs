using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Notifications;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.PlayFab;

/// <summary>ConsumeXboxEntitlements end to end: gateway, player grain and ledger over real HTTP to the simulator.</summary>
public sealed partial class PlayFabXboxConsumeTests(XboxGatewayFixture fixture) : IClassFixture<XboxGatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly SimulatorHost _simulator = fixture.Simulator;

    [Fact]
    public async Task ConsumeXboxEntitlements_ConsumablesAndDurables_GrantsEachOnceAndConsumesTheXboxBalances()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Test Gems", unitsPerQuantity: 10);
        var coins = await _client.PutXboxCatalogAsync("consumable", Unique.Name("coins"), "Test Coins");
        var skin = await _client.PutXboxCatalogAsync("durable", Unique.Name("skin"), "Test Skin");
        var durable = SimulatorHost.Item("d1", skin.ProductId, "Durable");
        durable["transactionId"] = Unique.Name("xbox-order");
        var xuid = await _simulator.CreateUserAsync(
            SimulatorHost.Item("c1", gems.ProductId, "Consumable", 3),
            SimulatorHost.Item("u1", coins.ProductId, "UnmanagedConsumable", 2),
            durable);
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        var items = await _client.ConsumeXboxOkAsync(ticket, token);

        var player = await _client.XboxPlayerAsync(xuid);
        var grants = await _client.AllEventsAsync($"&player_uuid={player}");
        Assert.Equal(3, grants.Count);
        var consumes = (await _simulator.UserAsync(xuid))["consumes"]!.AsObject();
        var gemsTracking = consumes.Single(c => c.Value!["itemId"]!.GetValue<string>() == "c1").Key;
        var coinsTracking = consumes.Single(c => c.Value!["itemId"]!.GetValue<string>() == "u1").Key;
        var gemsGrant = grants.Single(g => g["sku"]!.GetValue<string>() == gems.ProductId);
        var coinsGrant = grants.Single(g => g["sku"]!.GetValue<string>() == coins.ProductId);
        var skinGrant = grants.Single(g => g["sku"]!.GetValue<string>() == skin.ProductId);
        Assert.Equal(gemsTracking, gemsGrant["platform_transaction_id"]!.GetValue<string>());
        Assert.Equal(coinsTracking, coinsGrant["platform_transaction_id"]!.GetValue<string>());
        Assert.Equal(durable["transactionId"]!.GetValue<string>(), skinGrant["platform_transaction_id"]!.GetValue<string>());
        Assert.All(grants, g =>
        {
            Assert.Equal("grant", g["action_type"]!.GetValue<string>());
            Assert.Equal("XboxLive", g["platform"]!.GetValue<string>());
            Assert.Equal(xuid, g["platform_user_id"]!.GetValue<string>());
            Assert.Equal("success", g["status"]!.GetValue<string>());
        });
        Assert.Equal(3, gemsGrant["quantity"]!.GetValue<long>());
        Assert.Equal(2, coinsGrant["quantity"]!.GetValue<long>());

        Assert.Equal(3, items.Count);
        AssertItem(items, gems.ItemId, "Test Gems", instanceId: gemsGrant["event_id"]!.GetValue<string>(), remaining: 30, incremented: 30);
        AssertItem(items, coins.ItemId, "Test Coins", instanceId: coinsGrant["event_id"]!.GetValue<string>(), remaining: 2, incremented: 2);
        AssertItem(items, skin.ItemId, "Test Skin", instanceId: skinGrant["event_id"]!.GetValue<string>(), remaining: null, incremented: null);
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c1"));
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "u1"));
        Assert.Equal(1, await _simulator.QuantityAsync(xuid, "d1"));

        var again = await _client.ConsumeXboxAsync(ticket, token);
        JsonAssert.Response(HttpStatusCode.OK, new JsonObject { ["code"] = 200, ["status"] = "OK", ["data"] = new JsonObject { ["Items"] = new JsonArray() } }, again);
        Assert.Equal(3, (await _client.AllEventsAsync($"&player_uuid={player}")).Count);
        Assert.Equal(2, (await _simulator.UserAsync(xuid))["consumeRequests"]!.GetValue<int>());
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_Grant_ProducesAnEntitlementUpdatedGrantNotification()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Notified Gems", unitsPerQuantity: 5);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 2));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        var item = Assert.Single(await _client.ConsumeXboxOkAsync(ticket, token))!;

        var player = await _client.XboxPlayerAsync(xuid);
        var grains = fixture.Gateway.App.Services.GetRequiredService<IGrainFactory>();
        var page = await grains.GetGrain<INotificationFeedGrain>(0).ReadAsync(new NotificationQuery(player, 0, 100));
        var notification = Assert.Single(page.Notifications);
        Assert.Equal(NotificationKind.EntitlementUpdated, notification.Kind);
        Assert.Equal(item["ItemInstanceId"]!.GetValue<string>(), notification.EventId);
        var payload = notification.EntitlementUpdated!.Payload;
        Assert.Equal("grant", payload.Action);
        var entitlement = Assert.Single(payload.Data);
        Assert.Equal(gems.ItemId, entitlement.ItemId);
        Assert.Equal(10, entitlement.UseCount);
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_NewBalanceAfterAFirstCall_ReturnsOnlyTheNewGrant()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Test Gems", unitsPerQuantity: 100);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("first", gems.ProductId, "Consumable", 2));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var first = await _client.ConsumeXboxOkAsync(ticket, token);
        using (var add = await _simulator.Client.PostAsync(
            new Uri($"admin/users/{xuid}/items", UriKind.Relative),
            new StringContent(new JsonArray(SimulatorHost.Item("second", gems.ProductId, "Consumable", 1)).ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, add.StatusCode);
        }

        var second = await _client.ConsumeXboxOkAsync(ticket, token);

        Assert.Equal(200, Assert.Single(first)!["UsesIncrementedBy"]!.GetValue<long>());
        var item = Assert.Single(second)!;
        Assert.Equal(100, item["UsesIncrementedBy"]!.GetValue<long>());
        Assert.Equal(300, item["RemainingUses"]!.GetValue<long>());
        Assert.Equal(first[0]!["ItemInstanceId"]!.GetValue<string>(), item["ItemInstanceId"]!.GetValue<string>());
        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_CountsBeyondInt32_AreSentAsInt32MaxValueAndTheLedgerKeepsThem()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Huge Gems", unitsPerQuantity: 1_000_000_000);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        var item = Assert.Single(await _client.ConsumeXboxOkAsync(ticket, token))!;

        Assert.Equal((int.MaxValue, int.MaxValue), (item["RemainingUses"]!.GetValue<int>(), item["UsesIncrementedBy"]!.GetValue<int>()));
        // AccelByte's listing types useCount as int32 too; the ledger keeps the whole number.
        var player = await _client.XboxPlayerAsync(xuid);
        var entitlement = Assert.Single(await _client.EntitlementsOkAsync(player))!;
        Assert.Equal(int.MaxValue, entitlement["useCount"]!.GetValue<long>());
        var held = await fixture.Gateway.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IPlayerGrain>(player).GetEntitlementsAsync();
        Assert.Equal(3_000_000_000L, Assert.Single(held!.Entitlements).UseCount);
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_GrantPast64Bits_IsRecordedAsNotImplementedAnsweredAsAnErrorAndNotSentAgain()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Vast Gems", unitsPerQuantity: 1_000_000_000);
        var coins = await _client.PutXboxCatalogAsync("consumable", Unique.Name("coins"), "Plain Coins");
        // Xbox counts a balance in 32 bits: five items of the one product make 9e9 uses of it (9e18 units).
        var xuid = await _simulator.CreateUserAsync(
            [.. Enumerable.Range(1, 5).Select(i => SimulatorHost.Item($"first-{i}", gems.ProductId, "Consumable", i < 5 ? 2_000_000_000 : 1_000_000_000))]);
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        Assert.Single(await _client.ConsumeXboxOkAsync(ticket, token));
        await AddSimulatorItemAsync(xuid, SimulatorHost.Item("second", gems.ProductId, "Consumable", 1_000_000_000));

        // 9e18 units held, and Xbox consumes 1e18 more: their grant would pass 64 bits.
        var refused = await _client.ConsumeXboxAsync(ticket, token);

        PlayFabHttp.AssertError(refused, HttpStatusCode.BadRequest, "InvalidItemProperties", 1091);
        Assert.Equal(
            "Xbox Live consumed a balance whose grant would take an item past 9223372036854775807 uses; it was recorded as not applied, nothing was granted.",
            refused.BodyObject["errorMessage"]!.GetValue<string>());
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "second"));
        var tracking = (await _simulator.UserAsync(xuid))["consumes"]!.AsObject().Single(c => c.Value!["itemId"]!.GetValue<string>() == "second").Key;
        var player = await _client.XboxPlayerAsync(xuid);
        var recorded = (await _client.AllEventsAsync($"&player_uuid={player}")).Single(g => g["platform_transaction_id"]!.GetValue<string>() == tracking);
        Assert.Equal(
            ("grant", "not_implemented", 1_000_000_000L, gems.ProductId),
            (recorded["action_type"]!.GetValue<string>(), recorded["status"]!.GetValue<string>(), recorded["quantity"]!.GetValue<long>(), recorded["sku"]!.GetValue<string>()));

        // The refused grant finished its started row: the next call consumes the new balance and does not send that consume again.
        await AddSimulatorItemAsync(xuid, SimulatorHost.Item("third", coins.ProductId, "Consumable", 5));
        var later = Assert.Single(await _client.ConsumeXboxOkAsync(ticket, token))!;

        Assert.Equal((coins.ItemId, 5L), (later["ItemId"]!.GetValue<string>(), later["UsesIncrementedBy"]!.GetValue<long>()));
        var user = await _simulator.UserAsync(xuid);
        Assert.Equal((7, 7), (user["consumes"]!.AsObject().Count, user["consumeRequests"]!.GetValue<int>()));
        var held = await fixture.Gateway.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IPlayerGrain>(player).GetEntitlementsAsync();
        Assert.Equal(9_000_000_000_000_000_000L, held!.Entitlements.Single(e => e.ItemId == gems.ItemId).UseCount);
        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_TwoDurablesOfOneOrder_GrantsEachOnce()
    {
        var skin = await _client.PutXboxCatalogAsync("durable", Unique.Name("skin"), "Order Skin");
        var hat = await _client.PutXboxCatalogAsync("durable", Unique.Name("hat"), "Order Hat");
        var order = Unique.Name("xbox-order");
        var first = SimulatorHost.Item("d1", skin.ProductId, "Durable");
        var second = SimulatorHost.Item("d2", hat.ProductId, "Durable");
        first["transactionId"] = order;
        second["transactionId"] = order;
        var xuid = await _simulator.CreateUserAsync(first, second);
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        var items = await _client.ConsumeXboxOkAsync(ticket, token);

        Assert.Equal([hat.ItemId, skin.ItemId], items.Select(i => i!["ItemId"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var player = await _client.XboxPlayerAsync(xuid);
        var grants = await _client.AllEventsAsync($"&player_uuid={player}");
        // The order's first item keeps the order as its transaction id (a refund of the order finds it); the other is keyed by order and item.
        Assert.Equal(
            [(skin.ProductId, order), (hat.ProductId, $"{order}:d2")],
            grants.Select(g => (g["sku"]!.GetValue<string>(), g["platform_transaction_id"]!.GetValue<string>())));
        Assert.All(grants, g => Assert.Equal("success", g["status"]!.GetValue<string>()));
        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
        Assert.Equal(2, (await _client.AllEventsAsync($"&player_uuid={player}")).Count);
    }

    /// <summary>
    /// A durable whose Xbox <c>transactionId</c> is empty or only spaces has no order: it is keyed by its item id,
    /// as one without a <c>transactionId</c> is. It was keyed by the blank order itself: <c>""</c> for the first
    /// such item in the ledger, <c>":" + id</c> for the next, transaction ids no route takes.
    /// </summary>
    [Fact]
    public async Task ConsumeXboxEntitlements_DurablesWithABlankTransactionId_AreKeyedByTheirItemIds()
    {
        var skin = await _client.PutXboxCatalogAsync("durable", Unique.Name("skin"), "Blank Order Skin");
        var hat = await _client.PutXboxCatalogAsync("durable", Unique.Name("hat"), "Blank Order Hat");
        var cape = await _client.PutXboxCatalogAsync("durable", Unique.Name("cape"), "Blank Order Cape");
        var owned = new[] { (Id: Unique.Name("d"), skin.ProductId, Order: ""), (Id: Unique.Name("d"), hat.ProductId, Order: ""), (Id: Unique.Name("d"), cape.ProductId, Order: "  ") };
        var xuid = await _simulator.CreateUserAsync([.. owned.Select(o =>
        {
            var item = SimulatorHost.Item(o.Id, o.ProductId, "Durable");
            item["transactionId"] = o.Order;
            return item;
        })]);
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        var items = await _client.ConsumeXboxOkAsync(ticket, token);

        Assert.Equal(3, items.Count);
        var player = await _client.XboxPlayerAsync(xuid);
        var grants = await _client.AllEventsAsync($"&player_uuid={player}");
        Assert.Equal(
            owned.Select(o => (o.ProductId, o.Id)).Order(),
            grants.Select(g => (g["sku"]!.GetValue<string>(), g["platform_transaction_id"]!.GetValue<string>())).Order());
        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
        Assert.Equal(3, (await _client.AllEventsAsync($"&player_uuid={player}")).Count);
    }

    /// <summary>
    /// A durable an earlier version granted under its blank order (<c>""</c>, or <c>":" + id</c> when another item
    /// held that) is found there still: keyed now by its item id, it would be granted a second time.
    /// </summary>
    [Fact]
    public async Task ConsumeXboxEntitlements_DurableGrantedUnderItsBlankOrderByAnEarlierVersion_IsNotGrantedAgain()
    {
        var skin = await _client.PutXboxCatalogAsync("durable", Unique.Name("skin"), "Old Blank Skin");
        var hat = await _client.PutXboxCatalogAsync("durable", Unique.Name("hat"), "Old Blank Hat");
        var (first, second) = (Unique.Name("d"), Unique.Name("d"));
        var firstItem = SimulatorHost.Item(first, skin.ProductId, "Durable");
        var secondItem = SimulatorHost.Item(second, hat.ProductId, "Durable");
        firstItem["transactionId"] = string.Empty;
        secondItem["transactionId"] = string.Empty;
        var xuid = await _simulator.CreateUserAsync(firstItem, secondItem);
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var player = await _client.XboxPlayerAsync(xuid);
        await AppendXboxGrantAsAnEarlierVersionDidAsync(player, xuid, skin.ProductId, string.Empty, $$"""{"productId":"{{skin.ProductId}}","xboxItemId":"{{first}}"}""");
        await AppendXboxGrantAsAnEarlierVersionDidAsync(player, xuid, hat.ProductId, ":" + second, $$"""{"productId":"{{hat.ProductId}}","xboxItemId":"{{second}}"}""");

        var items = await _client.ConsumeXboxOkAsync(ticket, token);

        Assert.Empty(items);
        Assert.Equal(
            [(skin.ProductId, string.Empty), (hat.ProductId, ":" + second)],
            (await _client.AllEventsAsync($"&player_uuid={player}")).Select(g => (g["sku"]!.GetValue<string>(), g["platform_transaction_id"]!.GetValue<string>())));
    }

    /// <summary>
    /// A grant recorded over RallyHere's route under a blank transaction id (the route takes one of spaces), for
    /// another player and of the same SKU, is not the grant of a durable whose Xbox order is that blank id: the
    /// durable is granted, keyed by its item id. The look-up of grants an earlier version keyed by a blank order
    /// took such a grant for the item's (same SKU, no Xbox item named), and the durable was never granted.
    /// </summary>
    [Fact]
    public async Task ConsumeXboxEntitlements_DurableWhoseBlankOrderHoldsAnotherPlayersRouteGrantOfItsSku_IsGranted()
    {
        var skin = await _client.PutXboxCatalogAsync("durable", Unique.Name("skin"), "Blank Order Route Skin");
        var blank = new string(' ', 7);
        await _client.PostEventOkAsync(EventRequests.Create("grant", Unique.Name("xbox-user"), skin.ProductId, blank, platform: "XboxLive"));
        var itemId = Unique.Name("d");
        var item = SimulatorHost.Item(itemId, skin.ProductId, "Durable");
        item["transactionId"] = blank;
        var xuid = await _simulator.CreateUserAsync(item);
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        var items = await _client.ConsumeXboxOkAsync(ticket, token);

        Assert.Equal(skin.ItemId, Assert.Single(items)!["ItemId"]!.GetValue<string>());
        Assert.Equal(
            [(skin.ProductId, itemId)],
            (await _client.AllEventsAsync($"&player_uuid={await _client.XboxPlayerAsync(xuid)}")).Select(g => (g["sku"]!.GetValue<string>(), g["platform_transaction_id"]!.GetValue<string>())));
    }

    /// <summary>
    /// A grant's platform data is stored as the gateway stores an event's (<see cref="CanonicalJson"/>: keys sorted,
    /// no whitespace, strings in their own characters), for a consumable and a durable alike. It was written with
    /// the serializer's default escaping, every non-ASCII character and <c>+</c>, <c>&lt;</c> and the like as <c>\uXXXX</c>.
    /// </summary>
    [Fact]
    public async Task ConsumeXboxEntitlements_GrantsPlatformData_IsStoredInTheGatewaysCanonicalForm()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Canonical Gems");
        var skin = await _client.PutXboxCatalogAsync("durable", Unique.Name("skin"), "Canonical Skin");
        var (consumable, durable) = (Unique.Name("c+café<中>"), Unique.Name("d+café<中>"));
        var order = Unique.Name("xbox-order");
        var durableItem = SimulatorHost.Item(durable, skin.ProductId, "Durable");
        durableItem["transactionId"] = order;
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item(consumable, gems.ProductId, "Consumable", 2), durableItem);
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        Assert.Equal(2, (await _client.ConsumeXboxOkAsync(ticket, token)).Count);

        var store = fixture.Gateway.App.Services.GetRequiredService<ILedgerStore>();
        var grants = await _client.AllEventsAsync($"&player_uuid={await _client.XboxPlayerAsync(xuid)}");
        var tracking = grants.Single(g => g["sku"]!.GetValue<string>() == gems.ProductId)["platform_transaction_id"]!.GetValue<string>();
        Assert.Equal(
            $$"""{"productId":"{{gems.ProductId}}","xboxItemId":"{{consumable}}"}""",
            Assert.Single(await store.ReadTransactionAsync(Platform.XboxLive, tracking)).Entitlement!.PlatformDataJson);
        Assert.Equal(
            $$"""{"productId":"{{skin.ProductId}}","xboxItemId":"{{durable}}"}""",
            Assert.Single(await store.ReadTransactionAsync(Platform.XboxLive, order)).Entitlement!.PlatformDataJson);
    }

    /// <summary>
    /// A grant an earlier version recorded with its platform data escaped (<c>\u002B</c> for <c>+</c>, <c>\u00E9</c>
    /// for <c>é</c>) still names its Xbox item: the order's item it names is not granted again, and the order's
    /// other item is keyed by order and item id, as with a grant stored in the canonical form.
    /// </summary>
    [Fact]
    public async Task ConsumeXboxEntitlements_OrderGrantedWithEscapedPlatformDataByAnEarlierVersion_IsStillThatItemsGrant()
    {
        var skin = await _client.PutXboxCatalogAsync("durable", Unique.Name("skin"), "Escaped Skin");
        var hat = await _client.PutXboxCatalogAsync("durable", Unique.Name("hat"), "Escaped Hat");
        var order = Unique.Name("xbox-order");
        var (first, second) = (Unique.Name("d+é"), Unique.Name("d+é"));
        var firstItem = SimulatorHost.Item(first, skin.ProductId, "Durable");
        var secondItem = SimulatorHost.Item(second, hat.ProductId, "Durable");
        firstItem["transactionId"] = order;
        secondItem["transactionId"] = order;
        var xuid = await _simulator.CreateUserAsync(firstItem, secondItem);
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var player = await _client.XboxPlayerAsync(xuid);
        // As the grain wrote it then: System.Text.Json's default encoder escapes '+' and every non-ASCII character.
        var escaped = System.Text.Json.JsonSerializer.Serialize(new SortedDictionary<string, string>(StringComparer.Ordinal) { ["productId"] = skin.ProductId, ["xboxItemId"] = first });
        Assert.Contains("\\u002B", escaped, StringComparison.Ordinal);
        await AppendXboxGrantAsAnEarlierVersionDidAsync(player, xuid, skin.ProductId, order, escaped);

        var items = await _client.ConsumeXboxOkAsync(ticket, token);

        Assert.Equal(hat.ItemId, Assert.Single(items)!["ItemId"]!.GetValue<string>());
        Assert.Equal(
            [(skin.ProductId, order), (hat.ProductId, $"{order}:{second}")],
            (await _client.AllEventsAsync($"&player_uuid={player}")).Select(g => (g["sku"]!.GetValue<string>(), g["platform_transaction_id"]!.GetValue<string>())));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_ProductWithoutCatalogEntry_IsNotConsumedAndNotGranted()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Test Gems");
        var xuid = await _simulator.CreateUserAsync(
            SimulatorHost.Item("unmapped", "9NOCATALOG" + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture), "Consumable", 4),
            SimulatorHost.Item("mapped", gems.ProductId, "Consumable", 1));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        var items = await _client.ConsumeXboxOkAsync(ticket, token);

        Assert.Equal(gems.ItemId, Assert.Single(items)!["ItemId"]!.GetValue<string>());
        Assert.Equal(4, await _simulator.QuantityAsync(xuid, "unmapped"));
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "mapped"));
        Assert.Single(await _client.AllEventsAsync($"&player_uuid={await _client.XboxPlayerAsync(xuid)}"));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_LargeInventoryOverManyPages_GrantsEveryItem()
    {
        var badge = await _client.PutXboxCatalogAsync("durable", Unique.Name("badge"), "Test Badge");
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Test Gems");
        // 130 durables and one consumable at the very end: six pages of 25.
        var inventory = Enumerable.Range(0, 130).Select(i => SimulatorHost.Item($"badge-{i}", badge.ProductId, "Durable")).ToList();
        inventory.Add(SimulatorHost.Item("last", gems.ProductId, "Consumable", 7));
        var xuid = await _simulator.CreateUserAsync([.. inventory]);
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        var items = await _client.ConsumeXboxOkAsync(ticket, token);

        Assert.Equal(2, items.Count);
        Assert.Equal(7, items.Single(i => i!["ItemId"]!.GetValue<string>() == gems.ItemId)!["UsesIncrementedBy"]!.GetValue<long>());
        var grants = await _client.AllEventsAsync($"&player_uuid={await _client.XboxPlayerAsync(xuid)}");
        Assert.Equal(131, grants.Count);
        Assert.Equal(131, grants.Select(g => g["platform_transaction_id"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "last"));
        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_TwoSimultaneousCalls_GrantOnce()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Test Gems", unitsPerQuantity: 10);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 5));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        var calls = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _client.ConsumeXboxOkAsync(ticket, token)));

        var granted = calls.SelectMany(items => items).ToList();
        var item = Assert.Single(granted)!;
        Assert.Equal(50, item["UsesIncrementedBy"]!.GetValue<long>());
        Assert.Equal(50, item["RemainingUses"]!.GetValue<long>());
        Assert.Single(await _client.AllEventsAsync($"&player_uuid={await _client.XboxPlayerAsync(xuid)}"));
        var user = await _simulator.UserAsync(xuid);
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c"));
        Assert.Single(user["consumes"]!.AsObject());
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_LowerCaseRoute_AnswersWithRequestId()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        var response = await _client.ConsumeXboxAsync(ticket, token, "/client/consumexboxentitlements");

        JsonAssert.Response(HttpStatusCode.OK, new JsonObject { ["code"] = 200, ["status"] = "OK", ["data"] = new JsonObject { ["Items"] = new JsonArray() } }, response);
        Assert.True(Guid.TryParse(response.Headers.GetValues("X-RequestId").Single(), out _));
    }

    [Fact]
    public async Task LoginWithXbox_NewXboxUserWithCreateAccount_CreatesAndLinksOnePlayer()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid);

        var first = await _client.LoginAsync(token);
        var second = await _client.LoginAsync(token, createAccount: false);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        var player = await _client.XboxPlayerAsync(xuid);
        var playFabId = Entitlements.PlayFabIds.From(player);
        Assert.Matches(HexId(), playFabId);
        foreach (var (response, created) in new[] { (first, true), (second, false) })
        {
            var data = response.Json["data"]!.AsObject();
            Assert.Equal(200, response.Json["code"]!.GetValue<int>());
            Assert.Equal(playFabId, data["PlayFabId"]!.GetValue<string>());
            Assert.Equal(created, data["NewlyCreated"]!.GetValue<bool>());
            Assert.False(string.IsNullOrEmpty(data["SessionTicket"]!.GetValue<string>()));
            JsonAssert.Equal(new JsonObject { ["NeedsAttribution"] = false, ["GatherDeviceInfo"] = false, ["GatherFocusInfo"] = false }, data["SettingsForUser"]);
            Assert.True(response.Headers.Contains("X-RequestId"));
        }
    }

    [Fact]
    public async Task LoginWithXbox_Answer_CarriesTheSessionTicketAsATitlePlayerEntityToken()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid);
        var before = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        var response = await _client.LoginAsync(token);

        var after = DateTimeOffset.UtcNow;
        Assert.True(response.Status == HttpStatusCode.OK, $"login answered {response}");
        var data = response.Json["data"]!.AsObject();
        var ticket = data["SessionTicket"]!.GetValue<string>();
        var playFabId = Entitlements.PlayFabIds.From(await _client.XboxPlayerAsync(xuid));

        // The ticket's payload: format byte, player UUID, expiry in unix seconds (big-endian), XUID.
        Assert.True(Entitlements.Gateway.Auth.Base64Url.TryDecode(ticket.Split('.')[0], out var payload));
        var expires = DateTimeOffset.FromUnixTimeSeconds(System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(17, 8)));
        Assert.InRange(expires, before.AddHours(24), after.AddHours(24));
        var expected = new JsonObject
        {
            ["Entity"] = new JsonObject { ["Id"] = playFabId, ["Type"] = "title_player_account", ["TypeString"] = "title_player_account" },
            ["EntityToken"] = ticket,
            ["TokenExpiration"] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'.000Z'", CultureInfo.InvariantCulture),
        };
        JsonAssert.Equal(expected, data["EntityToken"]);
    }

    [Fact]
    public async Task LoginWithXbox_WithGetUserAccountInfo_AnswersTheAccountInfo()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid);
        var request = new JsonObject
        {
            ["TitleId"] = "E2E1",
            ["XboxToken"] = token,
            ["CreateAccount"] = true,
            ["InfoRequestParameters"] = new JsonObject { ["GetUserAccountInfo"] = true, ["GetUserInventory"] = true, ["GetPlayerProfile"] = false },
        };

        var response = await _client.SendAsync(HttpMethod.Post, "/Client/LoginWithXbox" + PlayFabHttp.Sdk, request.ToJsonString());

        Assert.True(response.Status == HttpStatusCode.OK, $"login answered {response}");
        var player = await _client.XboxPlayerAsync(xuid);
        var stored = await fixture.Gateway.App.Services.GetRequiredService<Entitlements.Storage.ILedgerStore>().ReadPlayerAsync(player)
            ?? throw new InvalidOperationException("The logged-in player is not in the store.");
        var created = stored.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var playFabId = Entitlements.PlayFabIds.From(player);
        var expected = new JsonObject
        {
            ["AccountInfo"] = new JsonObject
            {
                ["PlayFabId"] = playFabId,
                ["Created"] = created,
                ["TitleInfo"] = new JsonObject
                {
                    ["Created"] = created,
                    ["TitlePlayerAccount"] = new JsonObject { ["Id"] = playFabId, ["Type"] = "title_player_account", ["TypeString"] = "title_player_account" },
                },
                ["XboxInfo"] = new JsonObject { ["XboxUserId"] = xuid, ["XboxUserSandbox"] = "RETAIL" },
            },
            ["UserDataVersion"] = 0,
            ["UserReadOnlyDataVersion"] = 0,
        };
        JsonAssert.Equal(expected, response.Json["data"]!["InfoResultPayload"]);
        Assert.False(response.Json["data"]!.AsObject().ContainsKey("LastLoginTime"));
    }

    [Fact]
    public async Task LoginWithXbox_WithoutInfoRequestParameters_AnswersNoInfoResultPayload()
    {
        var token = await _simulator.TokenAsync(await _simulator.CreateUserAsync());

        var response = await _client.LoginAsync(token);

        Assert.True(response.Status == HttpStatusCode.OK, $"login answered {response}");
        Assert.Equal(
            ["EntityToken", "NewlyCreated", "PlayFabId", "SessionTicket", "SettingsForUser"],
            response.Json["data"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task LoginWithXbox_UnknownXboxUserWithoutCreateAccount_IsAccountNotFound()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid);

        var response = await _client.LoginAsync(token, createAccount: false);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "AccountNotFound", 1001);
        var link = await _client.GetApiAsync($"/users/v1/platform-user?platform=XboxLive&platform_user_id={xuid}");
        Assert.Equal(HttpStatusCode.NotFound, link.Status);
    }

    /// <summary>
    /// Append an Xbox durable's grant as an earlier version recorded it, straight to the store: its transaction
    /// id and platform data as given, neither checked nor made canonical.
    /// </summary>
    private async Task AppendXboxGrantAsAnEarlierVersionDidAsync(Guid playerUuid, string xuid, string sku, string transactionId, string platformData)
    {
        var store = fixture.Gateway.App.Services.GetRequiredService<ILedgerStore>();
        var player = await store.ReadPlayerAsync(playerUuid) ?? throw new InvalidOperationException("The player is not in the store.");
        var state = LedgerFold.ApplyAll(LedgerState.Empty, await store.ReadPlayerEventsAsync(playerUuid, 0, 1000));
        var command = new SubmitEntitlementEvent
        {
            ActionType = EntitlementActionType.Grant,
            Platform = Platform.XboxLive,
            PlatformUserId = xuid,
            Sku = sku,
            PlatformTransactionId = transactionId,
            PlatformDataJson = platformData,
        };
        var catalog = await store.ReadCatalogSkuAsync(Platform.XboxLive, sku);
        var transaction = await store.ReadTransactionAsync(Platform.XboxLive, transactionId);
        var decided = EntitlementDecider.DecideEntitlementEvent(state, player, command, catalog, transaction, Guid.NewGuid().ToString("D"), DateTimeOffset.UtcNow);
        var (outcome, appended) = await store.AppendAsync(decided);
        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal((transactionId, platformData), (appended!.Entitlement!.PlatformTransactionId, appended.Entitlement.PlatformDataJson));
    }

    private async Task AddSimulatorItemAsync(string xuid, JsonObject item)
    {
        using var add = await _simulator.Client.PostAsync(
            new Uri($"admin/users/{xuid}/items", UriKind.Relative),
            new StringContent(new JsonArray(item).ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, add.StatusCode);
    }

    private static void AssertItem(JsonArray items, string itemId, string displayName, string instanceId, long? remaining, long? incremented)
    {
        var item = items.Single(i => i!["ItemId"]!.GetValue<string>() == itemId)!.AsObject();
        var purchaseDate = item["PurchaseDate"]!.GetValue<string>();
        Assert.Matches(PlayFabDate(), purchaseDate);
        var expected = new JsonObject
        {
            ["CatalogVersion"] = "main",
            ["DisplayName"] = displayName,
            ["ItemClass"] = "XboxTest",
            ["ItemId"] = itemId,
            ["ItemInstanceId"] = instanceId,
            ["PurchaseDate"] = purchaseDate,
            ["UnitPrice"] = 0,
        };
        if (remaining is { } uses)
        {
            expected["RemainingUses"] = uses;
            expected["UsesIncrementedBy"] = incremented;
        }

        JsonAssert.Equal(expected, item);
    }

    [GeneratedRegex("^[0-9A-F]{16}$")]
    private static partial Regex HexId();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex PlayFabDate();
}
