using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Contracts;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests;

/// <summary>
/// The idempotency key of an entitlement event is (platform, platform_transaction_id, action_type):
/// a replay returns the original event, a different payload under the same key is a 409.
/// </summary>
public sealed class EntitlementEventIdempotencyTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Post_SameKeyAndPayloadTwice_ReturnsTheOriginalEvent()
    {
        var player = await _client.CreatePlayerAsync();
        var request = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"), quantity: 3);
        var first = await _client.PostEventAsync(request);

        var second = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(first.Body, second.Body);
        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray(first.Json), ["cursor"] = null }, await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}"));
        Assert.Equal(300, Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Post_PlatformDataWithKeysInAnotherOrder_IsTheSamePayload()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var first = await _client.PostEventAsync(
            """{"action_type":"grant","platform":"Steam","platform_user_id":"USER","sku":"gems_100","platform_transaction_id":"TX","platform_data":{"b":{"y":[1,{"q":1,"p":2}],"x":"2"},"a":1}}"""
                .Replace("USER", player.PlatformUserId, StringComparison.Ordinal).Replace("TX", transaction, StringComparison.Ordinal));

        var second = await _client.PostEventAsync(
            """{ "platform_data" : { "a" : 1, "b" : { "x" : "2", "y" : [ 1, { "p" : 2, "q" : 1 } ] } }, "platform_transaction_id":"TX", "sku":"gems_100", "platform_user_id":"USER", "platform":"Steam", "action_type":"grant" }"""
                .Replace("USER", player.PlatformUserId, StringComparison.Ordinal).Replace("TX", transaction, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(first.ToString(), second.ToString());
        JsonAssert.Equal(JsonNode.Parse("""{"a":1,"b":{"x":"2","y":[1,{"p":2,"q":1}]}}"""), first.Json["platform_data"]);
        Assert.Single((await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}"))["events"]!.AsArray());
    }

    /// <summary>
    /// An in-cluster service's grant (an Orleans client's, straight to the grains) with its platform data's keys
    /// in another order than the gateway writes them, then the same event over HTTP: the grains store the data
    /// as the gateway does, keys sorted, so the POST is its replay. The grant used to be stored as sent, and the
    /// POST answered 409.
    /// </summary>
    [Fact]
    public async Task Post_GrantAnInClusterServiceRecordedWithPlatformDataKeysUnsorted_IsItsReplay()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var grains = fixture.App.Services.GetRequiredService<IGrainFactory>();
        var recorded = await grains.SubmitEntitlementEventAsync(grains.GetGrain<IEntitlementEventsGrain>(0), new SubmitEntitlementEvent
        {
            ActionType = EntitlementActionType.Grant,
            Platform = Platform.Steam,
            PlatformUserId = player.PlatformUserId,
            Sku = "gems_100",
            PlatformTransactionId = transaction,
            PlatformDataJson = """{ "orderId": "1", "appId": "2" }""",
        });
        Assert.Equal(EntitlementEventOutcome.Recorded, recorded.Outcome);

        var posted = await _client.PostEventAsync(EventRequests.Create("grant", player.PlatformUserId, "gems_100", transaction, platformData: JsonNode.Parse("""{"orderId":"1","appId":"2"}""")));

        Assert.Equal(HttpStatusCode.OK, posted.Status);
        Assert.Equal(recorded.Event!.EventId, posted.Json["event_id"]!.GetValue<string>());
        Assert.Equal("""{"appId":"2","orderId":"1"}""", posted.Json["platform_data"]!.ToJsonString());
        var stored = Assert.Single(await fixture.App.Services.GetRequiredService<ILedgerStore>().ReadTransactionAsync(Platform.Steam, transaction));
        Assert.Equal("""{"appId":"2","orderId":"1"}""", stored.Entitlement!.PlatformDataJson);
        Assert.Single((await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}"))["events"]!.AsArray());
        Assert.Equal(100, Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Post_StatusOmittedOrSuccess_IsTheSamePayload()
    {
        var player = await _client.CreatePlayerAsync();
        var request = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"));
        var first = await _client.PostEventAsync(request);
        request["status"] = "success";

        var second = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(first.Body, second.Body);
        Assert.Single((await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}"))["events"]!.AsArray());
    }

    [Fact]
    public async Task Post_QuantityOmittedOrOne_IsTheSamePayload()
    {
        var player = await _client.CreatePlayerAsync();
        var request = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"));
        var first = await _client.PostEventAsync(request);
        request["quantity"] = 1;

        var second = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(first.ToString(), second.ToString());
    }

    [Theory]
    [InlineData("quantity")]
    [InlineData("sku")]
    [InlineData("platform_data")]
    [InlineData("platform_user_id")]
    [InlineData("status")]
    [InlineData("player_uuid")]
    public async Task Post_SameKeyDifferentPayload_Returns409AndChangesNothing(string changed)
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var original = EventRequests.Create("grant", player.PlatformUserId, "gems_100", transaction, quantity: 1, platformData: new JsonObject { ["k"] = "v" });
        var recorded = await _client.PostEventOkAsync(original);
        var conflicting = original.DeepClone().AsObject();
        conflicting[changed] = changed switch
        {
            "quantity" => 2,
            "sku" => "credits_500",
            "platform_data" => new JsonObject { ["k"] = "other" },
            "platform_user_id" => Unique.Name("other-user"),
            "status" => "sku_not_found",
            _ => (await _client.CreatePlayerAsync()).Uuid.ToString(),
        };

        var response = await _client.PostEventAsync(conflicting);

        JsonAssert.Error(
            HttpStatusCode.Conflict,
            "entitlement_event_conflict",
            $"An entitlement event with this platform, platform_transaction_id and action_type already exists with a different payload (event_id {ExpectedEvent.Id(recorded)}).",
            response);
        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray(recorded), ["cursor"] = null }, await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}"));
        Assert.Equal(100, Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
        Assert.Single(await _client.AllEventsAsync(), e => e["platform_transaction_id"]!.GetValue<string>() == transaction);
    }

    [Fact]
    public async Task Post_SameTransactionWithAnotherActionType_IsANewEvent()
    {
        var player = await _client.CreatePlayerAsync();
        var transaction = Unique.Name("tx");
        var grant = await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "season_pass", transaction));

        var refund = await _client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "season_pass", transaction));

        Assert.NotEqual(ExpectedEvent.Id(grant), ExpectedEvent.Id(refund));
        Assert.Equal(2, (await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}"))["events"]!.AsArray().Count);
    }

    [Fact]
    public async Task Post_HundredConcurrentIdenticalRequests_RecordOneEvent()
    {
        var player = await _client.CreatePlayerAsync();
        var body = EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"), quantity: 2).ToJsonString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => _client.PostEventAsync(body)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Single(responses.Select(r => r.Body).Distinct());
        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray(responses[0].Json), ["cursor"] = null }, await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}"));
        Assert.Equal(200, Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Post_FiftyConcurrentIdenticalRequestsWithoutPlayer_RecordOneEvent()
    {
        var transaction = Unique.Name("tx");
        var body = EventRequests.Grant(Unique.Name("unlinked"), "gems_100", transaction).ToJsonString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _client.PostEventAsync(body)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Single(responses.Select(r => r.Body).Distinct());
        var recorded = Assert.Single(await _client.AllEventsAsync(), e => e["platform_transaction_id"]!.GetValue<string>() == transaction);
        JsonAssert.Equal(responses[0].Json, recorded);
        Assert.Equal("player_not_found", recorded["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_ReplayAfterThePlatformUserIsLinked_ReturnsTheOriginalPlayerlessEvent()
    {
        var user = Unique.Name("late");
        var request = EventRequests.Grant(user, "gems_100", Unique.Name("tx"));
        var first = await _client.PostEventAsync(request);
        var player = await _client.CreatePlayerAsync(user);

        var replay = await _client.PostEventAsync(request);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(first.ToString(), replay.ToString());
        Assert.Equal("player_not_found", replay.Json["status"]!.GetValue<string>());
        Assert.Empty(await _client.EntitlementsOkAsync(player.Uuid));
    }
}
