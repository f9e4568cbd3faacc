using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Ledger;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Outage;

namespace Entitlements.Tests.PlayFab;

/// <summary>ConsumeXboxEntitlements when the ledger's append fails: before its commit, or after it with the acknowledgement lost.</summary>
public sealed class PlayFabXboxStoreFailureTests(XboxFaultyStoreFixture fixture) : IClassFixture<XboxFaultyStoreFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly SimulatorHost _simulator = fixture.Simulator;

    [Fact]
    public async Task ConsumeXboxEntitlements_GrantCommittedWithItsAcknowledgementLost_AnswersTheItemOnce()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Lost Ack Gems", unitsPerQuantity: 10);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c1", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        fixture.Faults.FailNextAppend(new AppendFault(AfterCommit: true, Transient: true, When: e => IsGrantOf(e, gems.ProductId)));

        var items = await _client.ConsumeXboxOkAsync(ticket, token);

        Assert.False(fixture.Faults.AppendFaultPending);
        var grant = Assert.Single(await _client.AllEventsAsync($"&player_uuid={await _client.XboxPlayerAsync(xuid)}"));
        var item = Assert.Single(items)!;
        Assert.Equal(gems.ItemId, item["ItemId"]!.GetValue<string>());
        Assert.Equal(grant["event_id"]!.GetValue<string>(), item["ItemInstanceId"]!.GetValue<string>());
        Assert.Equal(30, item["UsesIncrementedBy"]!.GetValue<int>());
        Assert.Equal(30, item["RemainingUses"]!.GetValue<int>());
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c1"));
        Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
    }

    private static bool IsGrantOf(LedgerEvent ledgerEvent, string sku) =>
        ledgerEvent.Kind == LedgerEventKind.EntitlementEvent && ledgerEvent.Entitlement?.Sku == sku;
}
