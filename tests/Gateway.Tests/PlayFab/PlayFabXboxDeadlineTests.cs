using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Ledger;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// ConsumeXboxEntitlements against a slow Xbox: the call stops at its budget and answers what it granted,
/// and the next call grants the rest, every balance exactly once.
/// </summary>
public sealed class PlayFabXboxDeadlineTests(XboxDeadlineFixture fixture) : IClassFixture<XboxDeadlineFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly SimulatorHost _simulator = fixture.Simulator;

    [Fact]
    public async Task ConsumeXboxEntitlements_XboxSlowerThanTheBudget_AnswersWhatItGrantedAndTheNextCallGrantsTheRest()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Slow Gems", unitsPerQuantity: 10);
        var coins = await _client.PutXboxCatalogAsync("consumable", Unique.Name("coins"), "Slow Coins");
        var keys = await _client.PutXboxCatalogAsync("consumable", Unique.Name("keys"), "Slow Keys");
        var xuid = await _simulator.CreateUserAsync(
            SimulatorHost.Item("c1", gems.ProductId, "Consumable", 3),
            SimulatorHost.Item("c2", coins.ProductId, "UnmanagedConsumable", 2),
            SimulatorHost.Item("c3", keys.ProductId, "Consumable", 4));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var itemIds = new Dictionary<string, string> { ["c1"] = gems.ItemId, ["c2"] = coins.ItemId, ["c3"] = keys.ItemId };
        var quantities = new Dictionary<string, long> { ["c1"] = 3, ["c2"] = 2, ["c3"] = 4 };
        var units = new Dictionary<string, long> { ["c1"] = 30, ["c2"] = 2, ["c3"] = 4 };

        // The query answers at once and the first consume starts within the 2 s budget; it answers after
        // 5 s, when the budget is spent, so no other consume starts.
        await _simulator.SetFaultsAsync(new JsonObject { ["consumeDelayMilliseconds"] = XboxDeadlineFixture.ConsumeDelayMilliseconds });
        ApiResponse first;
        try
        {
            first = await _client.ConsumeXboxAsync(ticket, token);
        }
        finally
        {
            await _simulator.SetFaultsAsync([]);
        }

        Assert.True(first.Status == HttpStatusCode.OK, $"the first consume answered {first}");
        var firstItem = Assert.Single(first.Json["data"]!["Items"]!.AsArray())!;
        var consumed = Assert.Single((await _simulator.UserAsync(xuid))["consumes"]!.AsObject()).Value!["itemId"]!.GetValue<string>();
        Assert.Equal(
            (itemIds[consumed], units[consumed]),
            (firstItem["ItemId"]!.GetValue<string>(), firstItem["UsesIncrementedBy"]!.GetValue<long>()));
        foreach (var id in itemIds.Keys)
        {
            Assert.Equal(id == consumed ? 0 : quantities[id], await _simulator.QuantityAsync(xuid, id));
        }

        var second = await _client.ConsumeXboxOkAsync(ticket, token);

        Assert.Equal(
            itemIds.Where(i => i.Key != consumed).Select(i => (i.Value, units[i.Key])).OrderBy(i => i.Value, StringComparer.Ordinal),
            second.Select(i => (i!["ItemId"]!.GetValue<string>(), i["UsesIncrementedBy"]!.GetValue<long>())).OrderBy(i => i.Item1, StringComparer.Ordinal));
        foreach (var id in itemIds.Keys)
        {
            Assert.Equal(0, await _simulator.QuantityAsync(xuid, id));
        }

        var user = await _simulator.UserAsync(xuid);
        Assert.Equal((3, 3), (user["consumes"]!.AsObject().Count, user["consumeRequests"]!.GetValue<int>()));
        Assert.All(user["consumes"]!.AsObject(), c => Assert.Equal(1, c.Value!["requests"]!.GetValue<int>()));
        var grants = await _client.AllEventsAsync($"&player_uuid={await _client.XboxPlayerAsync(xuid)}");
        Assert.Equal(
            user["consumes"]!.AsObject().Select(c => c.Key).Order(StringComparer.Ordinal),
            grants.Select(g => g["platform_transaction_id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_ConsumeHeldByXbox_TheOtherCallsForThePlayerAreAnsweredMeanwhile()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Held Gems", unitsPerQuantity: 10);
        var coins = await _client.PutXboxCatalogAsync("consumable", Unique.Name("coins"), "Granted Coins");
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c1", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var player = await _client.XboxPlayerAsync(xuid);
        var grantRequest = EventRequests.Create("grant", xuid, coins.ProductId, Unique.Name("rh-txn"), quantity: 4, platform: "XboxLive");

        await _simulator.SetFaultsAsync(new JsonObject { ["consumeDelayMilliseconds"] = XboxDeadlineFixture.ConsumeDelayMilliseconds });
        Task<ApiResponse> consuming;
        ApiResponse grant;
        ApiResponse read;
        int heldAfterBoth;
        try
        {
            consuming = _client.ConsumeXboxAsync(ticket, token);
            await WaitUntilHeldAsync(xuid);

            // The consume's started row is written and Xbox holds its consume for 5 s: the grant and the read go
            // past it, each within the cluster's 4 s response timeout.
            grant = await _client.PostEventAsync(grantRequest);
            read = await _client.GetEntitlementsAsync(player);
            heldAfterBoth = (await _simulator.ConsumesHeldAsync(xuid)).Held;
        }
        finally
        {
            await _simulator.SetFaultsAsync([]);
        }

        Assert.True(grant.Status == HttpStatusCode.OK, $"the grant answered {grant}");
        Assert.True(read.Status == HttpStatusCode.OK, $"the read answered {read}");
        Assert.Equal(1, heldAfterBoth);
        var seen = Assert.Single(read.BodyObject["data"]!.AsArray())!;
        Assert.Equal((coins.ItemId, 4L), (seen["itemId"]!.GetValue<string>(), seen["useCount"]!.GetValue<long>()));

        var consumed = await consuming;
        Assert.True(consumed.Status == HttpStatusCode.OK, $"the consume answered {consumed}");
        var item = Assert.Single(consumed.Json["data"]!["Items"]!.AsArray())!;
        Assert.Equal((gems.ItemId, 30L, 30L), (item["ItemId"]!.GetValue<string>(), item["UsesIncrementedBy"]!.GetValue<long>(), item["RemainingUses"]!.GetValue<long>()));
        Assert.Equal(
            [(coins.ItemId, 4L), (gems.ItemId, 30L)],
            (await _client.EntitlementsOkAsync(player)).Select(e => (e!["itemId"]!.GetValue<string>(), e["useCount"]!.GetValue<long>())).OrderBy(e => e.Item1, StringComparer.Ordinal));

        // One grant each, and the ledger's versions one after the other from the first: the started row, the
        // RallyHere grant, the Xbox grant with the consume's tracking id.
        var rallyHereTransaction = grantRequest["platform_transaction_id"]!.GetValue<string>();
        var tracking = Assert.Single((await _simulator.UserAsync(xuid))["consumes"]!.AsObject()).Key;
        Assert.Equal(
            new[] { rallyHereTransaction, tracking }.Order(StringComparer.Ordinal),
            (await _client.AllEventsAsync($"&player_uuid={player}")).Select(g => g["platform_transaction_id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var events = await fixture.Gateway.App.Services.GetRequiredService<ILedgerStore>().ReadPlayerEventsAsync(player, 0, 100);
        Assert.Equal(
            [(1L, LedgerEventKind.XboxConsumeStarted, tracking), (2L, LedgerEventKind.EntitlementEvent, rallyHereTransaction), (3L, LedgerEventKind.EntitlementEvent, tracking)],
            events.Select(e => (e.Version ?? 0, e.Kind, e.XboxConsume?.TrackingId ?? e.Entitlement!.PlatformTransactionId)));
        var held = await fixture.Gateway.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IPlayerGrain>(player).GetEntitlementsAsync();
        Assert.Equal(3, held!.Version);
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_TwoCallsAtOnce_RunOneAfterTheOtherAndGrantEachBalanceOnce()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Twice Gems", unitsPerQuantity: 10);
        var keys = await _client.PutXboxCatalogAsync("consumable", Unique.Name("keys"), "Twice Keys");
        var xuid = await _simulator.CreateUserAsync(
            SimulatorHost.Item("c1", gems.ProductId, "Consumable", 3),
            SimulatorHost.Item("c2", keys.ProductId, "Consumable", 4));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        // Each consume is held 5 s, past the 2 s budget: each call consumes one balance, the second call after the first.
        await _simulator.SetFaultsAsync(new JsonObject { ["consumeDelayMilliseconds"] = XboxDeadlineFixture.ConsumeDelayMilliseconds });
        ApiResponse[] answers;
        try
        {
            answers = await Task.WhenAll(_client.ConsumeXboxAsync(ticket, token), _client.ConsumeXboxAsync(ticket, token));
        }
        finally
        {
            await _simulator.SetFaultsAsync([]);
        }

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, $"a consume answered {a}"));
        Assert.Equal(
            [(gems.ItemId, 30L), (keys.ItemId, 4L)],
            answers.SelectMany(a => a.Json["data"]!["Items"]!.AsArray())
                .Select(i => (i!["ItemId"]!.GetValue<string>(), i["UsesIncrementedBy"]!.GetValue<long>()))
                .OrderBy(i => i.Item1, StringComparer.Ordinal));
        Assert.Equal(1, (await _simulator.ConsumesHeldAsync(xuid)).MostAtOnce);
        var user = await _simulator.UserAsync(xuid);
        Assert.Equal((2, 2), (user["consumes"]!.AsObject().Count, user["consumeRequests"]!.GetValue<int>()));
        Assert.Equal((0L, 0L), (await _simulator.QuantityAsync(xuid, "c1"), await _simulator.QuantityAsync(xuid, "c2")));
        var grants = await _client.AllEventsAsync($"&player_uuid={await _client.XboxPlayerAsync(xuid)}");
        Assert.Equal(
            user["consumes"]!.AsObject().Select(c => c.Key).Order(StringComparer.Ordinal),
            grants.Select(g => g["platform_transaction_id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_ThirdCallWaitingLongerThanAConsumeMayRun_Answers503AndConsumesNothingLater()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Queue Gems", unitsPerQuantity: 10);
        var coins = await _client.PutXboxCatalogAsync("consumable", Unique.Name("coins"), "Queue Coins");
        var keys = await _client.PutXboxCatalogAsync("consumable", Unique.Name("keys"), "Queue Keys");
        var xuid = await _simulator.CreateUserAsync(
            SimulatorHost.Item("c1", gems.ProductId, "Consumable", 3),
            SimulatorHost.Item("c2", coins.ProductId, "Consumable", 2),
            SimulatorHost.Item("c3", keys.ProductId, "Consumable", 4));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        // Each consume is held 10 s (5 s short of an attempt's timeout), past the 2 s budget, so a call
        // consumes one balance: the first call ends after about 10 s and the second, which got its turn then,
        // after about 20 s. A call waits for its turn at most the 17 s a consume may spend on Xbox (budget plus
        // one attempt): the third gives up at 17 s, 7 s after the second got its turn and 3 s before it ends.
        await _simulator.SetFaultsAsync(new JsonObject { ["consumeDelayMilliseconds"] = 10_000 });
        ApiResponse[] answers;
        try
        {
            answers = await Task.WhenAll(
                _client.ConsumeXboxAsync(ticket, token), _client.ConsumeXboxAsync(ticket, token), _client.ConsumeXboxAsync(ticket, token));
        }
        finally
        {
            await _simulator.SetFaultsAsync([]);
        }

        var refused = Assert.Single(answers, a => a.Status != HttpStatusCode.OK);
        PlayFabHttp.AssertError(refused, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", 1123);
        var granted = answers.Where(a => a.Status == HttpStatusCode.OK)
            .Select(a => Assert.Single(a.Json["data"]!["Items"]!.AsArray())!["ItemId"]!.GetValue<string>())
            .ToList();
        Assert.Equal(2, granted.Distinct(StringComparer.Ordinal).Count());

        // The refused call did nothing, then or later: two consumes reached Xbox, and one balance is whole.
        var user = await _simulator.UserAsync(xuid);
        Assert.Equal((2, 2), (user["consumes"]!.AsObject().Count, user["consumeRequests"]!.GetValue<int>()));
        var quantities = new Dictionary<string, long> { ["c1"] = 3, ["c2"] = 2, ["c3"] = 4 };
        var left = quantities.Keys.Where(id => !user["consumes"]!.AsObject().Any(c => c.Value!["itemId"]!.GetValue<string>() == id)).ToList();
        Assert.Equal(quantities[Assert.Single(left)], await _simulator.QuantityAsync(xuid, left[0]));

        // The next call consumes it.
        var last = await _client.ConsumeXboxOkAsync(ticket, token);
        var itemIds = new Dictionary<string, string> { ["c1"] = gems.ItemId, ["c2"] = coins.ItemId, ["c3"] = keys.ItemId };
        Assert.Equal(itemIds[left[0]], Assert.Single(last)!["ItemId"]!.GetValue<string>());
        Assert.Equal(
            new[] { gems.ItemId, coins.ItemId, keys.ItemId }.Order(StringComparer.Ordinal),
            granted.Append(itemIds[left[0]]).Order(StringComparer.Ordinal));
    }

    private async Task WaitUntilHeldAsync(string xuid)
    {
        using var waiting = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await _simulator.ConsumesHeldAsync(xuid)).Held == 0)
        {
            await Task.Delay(50, waiting.Token);
        }
    }
}
