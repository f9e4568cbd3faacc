using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Ledger;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Outage;
using Microsoft.Extensions.DependencyInjection;

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

    [Fact]
    public async Task ConsumeXboxEntitlements_ConsumeNeverGrantedThenXuidMovedToAnotherPlayer_GrantsItToThatPlayerOnce()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Moved Pending Gems", unitsPerQuantity: 10);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c1", gems.ProductId, "Consumable", 2));
        var token = await _simulator.TokenAsync(xuid);
        var (oldTicket, _) = await _client.LoginOkAsync(token);
        var oldPlayer = await _client.XboxPlayerAsync(xuid);
        fixture.Faults.FailNextAppend(new AppendFault(AfterCommit: false, Transient: false, When: e => IsGrantOf(e, gems.ProductId)));

        // Xbox carries the consume out; its grant fails: the started row is left in the old player's ledger.
        var failed = await _client.ConsumeXboxAsync(oldTicket, token);
        Assert.NotEqual(HttpStatusCode.OK, failed.Status);
        Assert.False(fixture.Faults.AppendFaultPending);
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c1"));
        Assert.Empty(await _client.AllEventsAsync($"&player_uuid={oldPlayer}"));
        var newPlayer = Guid.NewGuid();
        await _client.MoveXboxLinkAsync(xuid, newPlayer);
        var (newTicket, _) = await _client.LoginOkAsync(token);

        var items = await _client.ConsumeXboxOkAsync(newTicket, token);

        var item = Assert.Single(items)!;
        Assert.Equal(gems.ItemId, item["ItemId"]!.GetValue<string>());
        Assert.Equal(20, item["UsesIncrementedBy"]!.GetValue<int>());
        var trackingId = Assert.Single((await _simulator.UserAsync(xuid))["consumes"]!.AsObject()).Key;
        var grant = Assert.Single(await _client.AllEventsAsync($"&player_uuid={newPlayer}"));
        Assert.Equal(trackingId, grant["platform_transaction_id"]!.GetValue<string>());
        Assert.Equal(2, grant["quantity"]!.GetValue<long>());
        Assert.Empty(await _client.AllEventsAsync($"&player_uuid={oldPlayer}"));
        Assert.Empty(await _client.ConsumeXboxOkAsync(newTicket, token));
        Assert.Single(await _client.AllEventsAsync($"&player_uuid={newPlayer}"));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_RefusalRecordedWithItsAcknowledgementLost_IsRecordedOnceAndNotSentAgain()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Lost Refusal Gems", unitsPerQuantity: 10);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c1", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var player = await _client.XboxPlayerAsync(xuid);
        var store = fixture.Gateway.App.Services.GetRequiredService<ILedgerStore>();
        fixture.Faults.FailNextAppend(new AppendFault(AfterCommit: true, Transient: true, When: e => e.Kind == LedgerEventKind.XboxConsumeRefused));

        // Xbox refuses the consume for good; the refusal is committed and its acknowledgement lost: decided again, it is found done.
        await _simulator.SetFaultsAsync(new JsonObject { ["refuseConsumesWith"] = 409 });
        JsonArray first;
        try
        {
            first = await _client.ConsumeXboxOkAsync(ticket, token);
        }
        finally
        {
            await _simulator.SetFaultsAsync([]);
        }

        Assert.Empty(first);
        Assert.False(fixture.Faults.AppendFaultPending);
        var refused = Assert.Single(await _simulator.ConsumeTrackingIdsAsync(xuid));
        Assert.Equal(
            [(LedgerEventKind.XboxConsumeStarted, refused), (LedgerEventKind.XboxConsumeRefused, refused)],
            (await store.ReadPlayerEventsAsync(player, 0, 10)).Select(e => (e.Kind, e.XboxConsume?.TrackingId)));
        Assert.Empty(await store.ReadPendingXboxConsumesAsync(xuid));

        var second = Assert.Single(await _client.ConsumeXboxOkAsync(ticket, token))!;

        Assert.Equal(30, second["UsesIncrementedBy"]!.GetValue<int>());
        var consumed = Assert.Single((await _simulator.UserAsync(xuid))["consumes"]!.AsObject()).Key;
        Assert.Equal([refused, consumed], await _simulator.ConsumeTrackingIdsAsync(xuid));
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_RefusalNotRecorded_StaysPendingAndTheNextCallSendsItAgainAndRecordsIt()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Unrecorded Refusal Gems", unitsPerQuantity: 10);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c1", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var store = fixture.Gateway.App.Services.GetRequiredService<ILedgerStore>();
        fixture.Faults.FailNextAppend(new AppendFault(AfterCommit: false, Transient: false, When: e => e.Kind == LedgerEventKind.XboxConsumeRefused));
        IReadOnlyList<string> sent;
        await _simulator.SetFaultsAsync(new JsonObject { ["refuseConsumesWith"] = 409 });
        try
        {
            // Xbox refuses the consume for good and the record of the refusal fails, as if the process had died first.
            var failed = await _client.ConsumeXboxAsync(ticket, token);
            Assert.NotEqual(HttpStatusCode.OK, failed.Status);
            Assert.False(fixture.Faults.AppendFaultPending);
            var refused = Assert.Single(await _simulator.ConsumeTrackingIdsAsync(xuid));
            Assert.Equal([refused], (await store.ReadPendingXboxConsumesAsync(xuid)).Select(p => p.Consume.TrackingId));

            // The next call sends it again first; Xbox refuses it again and the refusal is recorded now. The balance,
            // still on Xbox, is started anew and refused too.
            Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));

            sent = await _simulator.ConsumeTrackingIdsAsync(xuid);
            Assert.Equal(3, sent.Count);
            Assert.Equal([refused, refused], sent.Take(2));
            Assert.NotEqual(refused, sent[2]);
            Assert.Empty(await store.ReadPendingXboxConsumesAsync(xuid));
        }
        finally
        {
            await _simulator.SetFaultsAsync([]);
        }

        Assert.Equal(30, Assert.Single(await _client.ConsumeXboxOkAsync(ticket, token))!["UsesIncrementedBy"]!.GetValue<int>());
        var consumed = Assert.Single((await _simulator.UserAsync(xuid))["consumes"]!.AsObject()).Key;
        Assert.Equal([.. sent, consumed], await _simulator.ConsumeTrackingIdsAsync(xuid));
    }

    private static bool IsGrantOf(LedgerEvent ledgerEvent, string sku) =>
        ledgerEvent.Kind == LedgerEventKind.EntitlementEvent && ledgerEvent.Entitlement?.Sku == sku;
}
