using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// The simulator's signals for tests: the requests of a user that have arrived (<c>GET /admin/users/{xuid}/arrivals</c>),
/// awaited instead of a sleep, and queries held until released (<c>holdQueries</c>).
/// </summary>
public sealed class XboxSimulatorArrivalsTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;

    public async Task InitializeAsync() => _simulator = await SimulatorHost.StartAsync();

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Arrivals_QueryHeldThenConsume_AreCountedOnArrivalAndTheQueryIsAnsweredOnRelease()
    {
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c1", "gems", "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        Assert.Equal((HttpStatusCode.OK, """{"queries":0,"consumes":0}"""), await ArrivalsAsync(xuid, string.Empty));

        await _simulator.SetFaultsAsync(new JsonObject { ["holdQueries"] = true });
        var query = _simulator.PostCollectionsAsync(token, "v8.0/collections/b2bLicensePreview", new JsonObject { ["maxPageSize"] = 10 });
        await _simulator.WaitForArrivalsAsync(xuid, queries: 1);
        var consume = await _simulator.PostCollectionsAsync(token, "v8.0/collections/consume", new JsonObject { ["productId"] = "gems", ["trackingId"] = Unique.Name("t"), ["removeQuantity"] = 1 });

        // Counted on arrival: the query is held, the consume (never held) was answered.
        Assert.False(query.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, consume.Status);
        Assert.Equal((HttpStatusCode.OK, """{"queries":1,"consumes":1}"""), await ArrivalsAsync(xuid, "?queries=1&consumes=1"));
        Assert.Equal((HttpStatusCode.RequestTimeout, """{"queries":1,"consumes":1}"""), await ArrivalsAsync(xuid, "?queries=2&waitMilliseconds=0"));

        // Released: the held query is answered as usual, with the balance after the consume.
        await _simulator.SetFaultsAsync([]);
        var (status, body) = await query;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([("c1", 2L)], body["items"]!.AsArray().Select(i => (i!["id"]!.GetValue<string>(), i["quantity"]!.GetValue<long>())));
        Assert.Equal(HttpStatusCode.NotFound, (await ArrivalsAsync(SimulatorHost.NewXuid(), string.Empty)).Status);
    }

    private async Task<(HttpStatusCode Status, string Body)> ArrivalsAsync(string xuid, string query)
    {
        using var response = await _simulator.Client.GetAsync(new Uri($"admin/users/{xuid}/arrivals{query}", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
