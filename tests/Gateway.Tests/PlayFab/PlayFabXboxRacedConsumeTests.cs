using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Ledger;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// Two players' consumes of one UnmanagedConsumable balance, raced: the XUID's link moves to another player while the
/// first player's call waits on Xbox, and the new player's call queries before either consume reaches Xbox. The
/// simulator holds the queries (<c>holdQueries</c>) and tells when each has arrived, so the order is certain.
/// </summary>
public sealed class PlayFabXboxRacedConsumeTests(PlayFabXboxRacedConsumeTests.Fixture fixture) : IClassFixture<PlayFabXboxRacedConsumeTests.Fixture>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly SimulatorHost _simulator = fixture.Simulator;

    private ILedgerStore Store => fixture.Gateway.App.Services.GetRequiredService<ILedgerStore>();

    /// <summary>
    /// Both calls start a consume of the balance of 2 with their own tracking ids; the one Xbox carries out second
    /// finds nothing left and is refused for good, so the 2 units are granted once. (Both were answered 200 and
    /// granted 2, when Xbox answered 200 to a consume of an UnmanagedConsumable with nothing left.)
    /// </summary>
    [Fact]
    public async Task ConsumeXboxEntitlements_UnmanagedConsumableRacedByTwoPlayersOfOneXuid_IsGrantedOnce()
    {
        var coins = await _client.PutXboxCatalogAsync("consumable", Unique.Name("coins"), "Raced Coins");
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("u1", coins.ProductId, "UnmanagedConsumable", 2));
        var token = await _simulator.TokenAsync(xuid);
        var (oldTicket, _) = await _client.LoginOkAsync(token);
        var oldPlayer = await _client.XboxPlayerAsync(xuid);
        var newPlayer = Guid.NewGuid();

        // The old call's query is held at Xbox while the link moves and the new call starts; the new call found nothing
        // pending (the old call writes its started row only once its query is answered) when its own query arrives.
        // Then both queries are answered, a balance of 2 each, and both calls send their consumes.
        var (oldAnswer, newAnswer) = await _simulator.UnderFaultsAsync(new JsonObject { ["holdQueries"] = true }, async () =>
        {
            var oldCall = _client.ConsumeXboxAsync(oldTicket, token);
            await _simulator.WaitForArrivalsAsync(xuid, queries: 1);
            await _client.MoveXboxLinkAsync(xuid, newPlayer);
            var (newTicket, _) = await _client.LoginOkAsync(token);
            var newCall = _client.ConsumeXboxAsync(newTicket, token);
            await _simulator.WaitForArrivalsAsync(xuid, queries: 2);
            await _simulator.SetFaultsAsync([]);
            return (await oldCall, await newCall);
        });

        // Two consumes were sent, each with its own tracking id, once each; Xbox carried out one.
        var sent = await _simulator.ConsumeTrackingIdsAsync(xuid);
        Assert.Equal(2, sent.Distinct().Count());
        Assert.Equal(2, sent.Count);
        var consumed = Assert.Single((await _simulator.UserAsync(xuid))["consumes"]!.AsObject()).Key;
        var refused = Assert.Single(sent, id => id != consumed);
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "u1"));

        // One call granted the 2 units; the other was refused and answers as a refusal does, 200 with no items.
        var answers = new[] { (Player: oldPlayer, Answer: oldAnswer), (Player: newPlayer, Answer: newAnswer) };
        Assert.All(answers, a => Assert.True(a.Answer.Status == HttpStatusCode.OK, $"consume answered {a.Answer}"));
        var winner = Assert.Single(answers, a => a.Answer.Json["data"]!["Items"]!.AsArray().Count > 0);
        var loser = Assert.Single(answers, a => a.Answer.Json["data"]!["Items"]!.AsArray().Count == 0);
        var item = Assert.Single(winner.Answer.Json["data"]!["Items"]!.AsArray())!;
        Assert.Equal((coins.ItemId, 2L), (item["ItemId"]!.GetValue<string>(), item["UsesIncrementedBy"]!.GetValue<long>()));

        var grant = Assert.Single(await _client.AllEventsAsync($"&player_uuid={winner.Player}"));
        Assert.Equal((consumed, 2L), (grant["platform_transaction_id"]!.GetValue<string>(), grant["quantity"]!.GetValue<long>()));
        Assert.Empty(await _client.AllEventsAsync($"&player_uuid={loser.Player}"));
        Assert.Equal(2L, Assert.Single(await _client.EntitlementsOkAsync(winner.Player))!["useCount"]!.GetValue<long>());
        Assert.Empty(await _client.EntitlementsOkAsync(loser.Player));
        Assert.Equal(
            [(LedgerEventKind.XboxConsumeStarted, refused), (LedgerEventKind.XboxConsumeRefused, refused)],
            (await Store.ReadPlayerEventsAsync(loser.Player, 0, 10)).Select(e => (e.Kind, e.XboxConsume?.TrackingId)));
        Assert.Empty(await Store.ReadPendingXboxConsumesAsync(xuid));
    }

    /// <summary>
    /// The simulator and a gateway whose Xbox attempts last 20 s (with the default 6 s budget, the most a 60 s cluster
    /// response timeout allows): a query held while the test moves the link and starts the second call is not timed
    /// out and sent again (a repeat would arrive as the second query).
    /// </summary>
    public sealed class Fixture : XboxGatewayFixture
    {
        protected override void ConfigureXbox(IDictionary<string, string?> settings)
        {
            settings["Xbox:TimeoutMilliseconds"] = "20000";
            settings["Orleans:Messaging:ResponseTimeout"] = "00:01:00";
        }
    }
}
