using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.PlayFab;

/// <summary>The simulator's consume route over real HTTP, as the real service answers it: what it refuses, and its idempotence per tracking id.</summary>
public sealed class XboxSimulatorConsumeTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;

    public async Task InitializeAsync() => _simulator = await SimulatorHost.StartAsync();

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    /// <summary>
    /// An UnmanagedConsumable with nothing left is refused as a Consumable's removeQuantity over its balance is (400
    /// <c>InsufficientQuantity</c>), and deducts nothing; a tracking id that already succeeded still answers its first
    /// result. (A new tracking id was answered 200, "consuming" the empty balance.)
    /// </summary>
    [Fact]
    public async Task Consume_UnmanagedConsumableWithNothingLeft_IsRefusedAndARepeatedTrackingIdStillSucceeds()
    {
        var xuid = await _simulator.CreateUserAsync(
            SimulatorHost.Item("u1", "coins", "UnmanagedConsumable", 2),
            SimulatorHost.Item("u2", "stars", "UnmanagedConsumable", 0),
            SimulatorHost.Item("c1", "gems", "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var first = Unique.Name("tracking");

        var consumed = await ConsumeAsync(token, "coins", first);
        var emptied = await ConsumeAsync(token, "coins", Unique.Name("tracking"));
        var neverHeld = await ConsumeAsync(token, "stars", Unique.Name("tracking"));
        var overBalance = await ConsumeAsync(token, "gems", Unique.Name("tracking"), removeQuantity: 5);
        var repeated = await ConsumeAsync(token, "coins", first);

        var success = new JsonObject { ["itemId"] = "u1", ["productId"] = "coins", ["trackingId"] = first, ["newQuantity"] = 0 };
        Assert.Equal((HttpStatusCode.OK, success.ToJsonString()), (consumed.Status, consumed.Body.ToJsonString()));
        Assert.Equal((HttpStatusCode.OK, success.ToJsonString()), (repeated.Status, repeated.Body.ToJsonString()));
        Assert.All([emptied, neverHeld, overBalance], refusal =>
        {
            Assert.Equal(HttpStatusCode.BadRequest, refusal.Status);
            Assert.Equal("InsufficientQuantity", refusal.Body["code"]!.GetValue<string>());
            Assert.Equal("InsufficientQuantity", refusal.Body["innererror"]!["code"]!.GetValue<string>());
        });
        Assert.Equal("The balance is 0: nothing to consume.", emptied.Body["message"]!.GetValue<string>());

        var user = await _simulator.UserAsync(xuid);
        Assert.Equal([first], user["consumes"]!.AsObject().Select(c => c.Key));
        Assert.Equal(2, user["consumes"]![first]!["requests"]!.GetValue<int>());
        Assert.Equal(
            [("u1", 0L), ("u2", 0L), ("c1", 3L)],
            user["items"]!.AsArray().Select(i => (i!["id"]!.GetValue<string>(), i["quantity"]!.GetValue<long>())));
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> ConsumeAsync(string token, string productId, string trackingId, long? removeQuantity = null)
    {
        var body = new JsonObject { ["productId"] = productId, ["trackingId"] = trackingId, ["includeOrderIds"] = false };
        if (removeQuantity is { } quantity)
        {
            body["removeQuantity"] = quantity;
        }

        return await _simulator.PostCollectionsAsync(token, "v8.0/collections/consume", body);
    }
}
