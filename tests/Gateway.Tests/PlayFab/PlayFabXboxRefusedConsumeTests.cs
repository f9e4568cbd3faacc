using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Ledger;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// ConsumeXboxEntitlements when Xbox refuses a consume it was sent: refused for good (a 4xx other than 401, 403, 408
/// and 429), the consume is finished and never sent again; refused for now, it stays pending and the next call sends it
/// again with the same tracking id.
/// </summary>
public sealed class PlayFabXboxRefusedConsumeTests(XboxGatewayFixture fixture) : IClassFixture<XboxGatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly SimulatorHost _simulator = fixture.Simulator;

    private ILedgerStore Store => fixture.Gateway.App.Services.GetRequiredService<ILedgerStore>();

    [Fact]
    public async Task ConsumeXboxEntitlements_ConsumeRefusedForGood_IsFinishedAndNotSentAgainByTheNextCall()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Refused Gems", unitsPerQuantity: 10);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var player = await _client.XboxPlayerAsync(xuid);
        // The query reports a balance of 5 where Xbox holds 3: Xbox refuses the consume of 5 (400 InsufficientQuantity).
        var stale = (await _simulator.UserAsync(xuid))["items"]![0]!.DeepClone().AsObject();
        stale["quantity"] = 5;
        var page = new JsonObject { ["items"] = new JsonArray(stale) }.ToJsonString();

        var first = await _simulator.UnderFaultsAsync(new JsonObject { ["queryAnswerBody"] = page }, () => _client.ConsumeXboxOkAsync(ticket, token));

        Assert.Empty(first);
        var refused = Assert.Single(await _simulator.ConsumeTrackingIdsAsync(xuid));
        Assert.Empty(await Store.ReadPendingXboxConsumesAsync(xuid));
        Assert.Equal(
            [(LedgerEventKind.XboxConsumeStarted, refused), (LedgerEventKind.XboxConsumeRefused, refused)],
            (await Store.ReadPlayerEventsAsync(player, 0, 10)).Select(e => (e.Kind, e.XboxConsume?.TrackingId)));
        Assert.Empty(await _client.AllEventsAsync($"&player_uuid={player}"));
        Assert.Empty(await _client.EntitlementsOkAsync(player));
        Assert.Empty((await PlayerAsync(player)).Entitlements);
        Assert.Equal(3, await _simulator.QuantityAsync(xuid, "c"));

        // The next call does not send the refused consume again: its query finds the 3 units, consumed with a new tracking id.
        var second = Assert.Single(await _client.ConsumeXboxOkAsync(ticket, token))!;

        Assert.Equal((gems.ItemId, 30L), (second["ItemId"]!.GetValue<string>(), second["UsesIncrementedBy"]!.GetValue<long>()));
        var consumed = Assert.Single((await _simulator.UserAsync(xuid))["consumes"]!.AsObject()).Key;
        Assert.Equal([refused, consumed], await _simulator.ConsumeTrackingIdsAsync(xuid));
        Assert.NotEqual(refused, consumed);
        var grant = Assert.Single(await _client.AllEventsAsync($"&player_uuid={player}"));
        Assert.Equal((consumed, 3L), (grant["platform_transaction_id"]!.GetValue<string>(), grant["quantity"]!.GetValue<long>()));
        Assert.Equal(30L, Assert.Single(await _client.EntitlementsOkAsync(player))!["useCount"]!.GetValue<long>());
        Assert.Equal(30L, Assert.Single((await PlayerAsync(player)).Entitlements).UseCount);
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c"));
        Assert.Empty(await Store.ReadPendingXboxConsumesAsync(xuid));

        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
        Assert.Equal([refused, consumed], await _simulator.ConsumeTrackingIdsAsync(xuid));
    }

    /// <summary>
    /// Refused for now (throttled, timed out, the credential refused, the service failing): the consume stays pending,
    /// and the next call sends it again with the same tracking id before anything else, and grants it.
    /// </summary>
    [Theory]
    [InlineData(408, "XboxInaccessible", 1339)]
    [InlineData(429, "XboxServiceTooManyRequests", 1505)]
    [InlineData(503, "XboxInaccessible", 1339)]
    [InlineData(401, "XboxRejectedXSTSExchangeRequest", 1343)]
    [InlineData(403, "XboxXASSExchangeFailure", 1306)]
    public async Task ConsumeXboxEntitlements_ConsumeRefusedForNow_StaysPendingAndTheNextCallSendsItAgain(int status, string error, int errorCode)
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Throttled Gems", unitsPerQuantity: 10);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var player = await _client.XboxPlayerAsync(xuid);

        var first = await _simulator.UnderFaultsAsync(new JsonObject { ["refuseConsumesWith"] = status }, () => _client.ConsumeXboxAsync(ticket, token));

        PlayFabHttp.AssertError(first, HttpStatusCode.BadRequest, error, errorCode);
        var sent = await _simulator.ConsumeTrackingIdsAsync(xuid);
        var tracking = Assert.Single(sent.Distinct());
        Assert.Equal([tracking], (await Store.ReadPendingXboxConsumesAsync(xuid)).Select(p => p.Consume.TrackingId));
        Assert.Empty(await _client.AllEventsAsync($"&player_uuid={player}"));
        Assert.Equal(3, await _simulator.QuantityAsync(xuid, "c"));

        var second = Assert.Single(await _client.ConsumeXboxOkAsync(ticket, token))!;

        Assert.Equal((gems.ItemId, 30L), (second["ItemId"]!.GetValue<string>(), second["UsesIncrementedBy"]!.GetValue<long>()));
        Assert.Equal([.. sent, tracking], await _simulator.ConsumeTrackingIdsAsync(xuid));
        var grant = Assert.Single(await _client.AllEventsAsync($"&player_uuid={player}"));
        Assert.Equal((tracking, 3L), (grant["platform_transaction_id"]!.GetValue<string>(), grant["quantity"]!.GetValue<long>()));
        Assert.Empty(await Store.ReadPendingXboxConsumesAsync(xuid));
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c"));
    }

    /// <summary>
    /// A pending UnmanagedConsumable consume (Xbox answered 503) whose balance is gone from Xbox before it is sent
    /// again: the re-sent tracking id finds nothing to consume and is refused for good, so nothing is granted and the
    /// refusal finishes the started row. (Xbox answered 200 and the call granted the 2 units the query had shown.)
    /// </summary>
    [Fact]
    public async Task ConsumeXboxEntitlements_PendingUnmanagedConsumableWhoseBalanceIsGone_IsRefusedAndGrantsNothing()
    {
        var coins = await _client.PutXboxCatalogAsync("consumable", Unique.Name("coins"), "Vanished Coins");
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("u1", coins.ProductId, "UnmanagedConsumable", 2));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var player = await _client.XboxPlayerAsync(xuid);

        var first = await _simulator.UnderFaultsAsync(new JsonObject { ["refuseConsumesWith"] = 503 }, () => _client.ConsumeXboxAsync(ticket, token));

        PlayFabHttp.AssertError(first, HttpStatusCode.BadRequest, "XboxInaccessible", 1339);
        var tracking = Assert.Single((await _simulator.ConsumeTrackingIdsAsync(xuid)).Distinct());
        Assert.Equal([tracking], (await Store.ReadPendingXboxConsumesAsync(xuid)).Select(p => p.Consume.TrackingId));
        await _simulator.PutUserAsync(xuid, [SimulatorHost.Item("u1", coins.ProductId, "UnmanagedConsumable", 0)]);

        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));

        Assert.Equal([tracking], await _simulator.ConsumeTrackingIdsAsync(xuid));
        Assert.Empty((await _simulator.UserAsync(xuid))["consumes"]!.AsObject());
        Assert.Empty(await Store.ReadPendingXboxConsumesAsync(xuid));
        Assert.Equal(
            [(LedgerEventKind.XboxConsumeStarted, tracking), (LedgerEventKind.XboxConsumeRefused, tracking)],
            (await Store.ReadPlayerEventsAsync(player, 0, 10)).Select(e => (e.Kind, e.XboxConsume?.TrackingId)));
        Assert.Empty(await _client.AllEventsAsync($"&player_uuid={player}"));
        Assert.Empty(await _client.EntitlementsOkAsync(player));

        // Finished: the next call does not send it again.
        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
        Assert.Equal([tracking], await _simulator.ConsumeTrackingIdsAsync(xuid));
    }

    private async Task<Contracts.PlayerEntitlements> PlayerAsync(Guid player) =>
        (await fixture.Gateway.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IPlayerGrain>(player).GetEntitlementsAsync())!;
}
