using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

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
    public async Task ConsumeXboxEntitlements_SlowXbox_TheOtherCallsForThePlayerWaitAndAreAnswered()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Queued Gems", unitsPerQuantity: 10);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c1", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var player = await _client.XboxPlayerAsync(xuid);

        await _simulator.SetFaultsAsync(new JsonObject { ["consumeDelayMilliseconds"] = XboxDeadlineFixture.ConsumeDelayMilliseconds });
        JsonArray read;
        Task<ApiResponse> consuming;
        try
        {
            consuming = _client.ConsumeXboxAsync(ticket, token);
            using (var waiting = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                // The consume is sent, and held by the simulator: the player grain is busy with it.
                while (await _simulator.ConsumesHeldAsync() == 0)
                {
                    await Task.Delay(50, waiting.Token);
                }
            }

            read = await _client.EntitlementsOkAsync(player);
        }
        finally
        {
            await _simulator.SetFaultsAsync([]);
        }

        // Queued behind the consume, the read waited for it (it sees the grant) and was answered, not timed out.
        var held = Assert.Single(read)!;
        Assert.Equal((gems.ItemId, 30L), (held["itemId"]!.GetValue<string>(), held["useCount"]!.GetValue<long>()));
        var consumed = await consuming;
        Assert.True(consumed.Status == HttpStatusCode.OK, $"the consume answered {consumed}");
        Assert.Equal(30, Assert.Single(consumed.Json["data"]!["Items"]!.AsArray())!["UsesIncrementedBy"]!.GetValue<long>());
    }
}
