using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// ConsumeXboxEntitlements when something other than Xbox fails mid-way: what the call granted before is
/// the answer, as when Xbox fails; a call that granted nothing answers the error.
/// </summary>
public sealed class PlayFabXboxInterruptedTests(XboxThrowAfterConsumeFixture fixture) : IClassFixture<XboxThrowAfterConsumeFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly SimulatorHost _simulator = fixture.Simulator;

    [Fact]
    public async Task ConsumeXboxEntitlements_FailureAfterAGrant_AnswersTheGrantAndAFailureBeforeAnyGrantIsInternalServerError()
    {
        var skin = await _client.PutXboxCatalogAsync("durable", Unique.Name("skin"), "Interrupted Skin");
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Interrupted Gems");
        // The durable is granted by a ledger write alone; the consumable's consume then fails the call.
        var xuid = await _simulator.CreateUserAsync(
            SimulatorHost.Item("d", skin.ProductId, "Durable"),
            SimulatorHost.Item("c", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);

        var first = await _client.ConsumeXboxAsync(ticket, token);
        var second = await _client.ConsumeXboxAsync(ticket, token);

        var grant = Assert.Single(await _client.AllEventsAsync($"&player_uuid={await _client.XboxPlayerAsync(xuid)}"));
        Assert.Equal(skin.ProductId, grant["sku"]!.GetValue<string>());
        Assert.True(first.Status == HttpStatusCode.OK, $"the first consume answered {first}");
        var item = Assert.Single(first.Json["data"]!["Items"]!.AsArray())!.AsObject();
        JsonAssert.Equal(
            new JsonObject
            {
                ["CatalogVersion"] = "main",
                ["DisplayName"] = "Interrupted Skin",
                ["ItemClass"] = "XboxTest",
                ["ItemId"] = skin.ItemId,
                ["ItemInstanceId"] = grant["event_id"]!.GetValue<string>(),
                ["PurchaseDate"] = item["PurchaseDate"]!.GetValue<string>(),
                ["UnitPrice"] = 0,
            },
            item);
        // The second call re-sends the started consume (same tracking id) and fails before any grant.
        PlayFabHttp.AssertError(second, HttpStatusCode.BadRequest, "InternalServerError", 1110);
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c"));
        var consume = Assert.Single((await _simulator.UserAsync(xuid))["consumes"]!.AsObject());
        Assert.Equal((3L, 2), (consume.Value!["removedQuantity"]!.GetValue<long>(), consume.Value["requests"]!.GetValue<int>()));
    }
}
