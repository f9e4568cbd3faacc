using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Notifications;
using Entitlements.Tests.Auth;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Webhooks;

/// <summary>The operator routes of the webhooks over real HTTP, with a real receiver making dead letters.</summary>
public sealed class WebhooksApiTests(WebhookGatewayFixture fixture) : IClassFixture<WebhookGatewayFixture>
{
    private const string Sku = "gems_100";

    private WebhookReceiver Receiver => fixture.Receiver;

    [Fact]
    public async Task ListWebhooks_Configured_ReturnsEachWithEndpointPositionAndDeadLetterCounts()
    {
        var (player, letters) = await DeadLettersAsync(WebhookGatewayFixture.Audit, 1);

        var response = await fixture.Ops.GetApiAsync("/ops/v1/webhooks");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var webhooks = response.BodyObject["webhooks"]!.AsArray();
        Assert.Equal([WebhookGatewayFixture.Orders, WebhookGatewayFixture.Audit], webhooks.Select(w => w!["name"]!.GetValue<string>()));
        var audit = webhooks[1]!.AsObject();
        Assert.Equal(Receiver.Url("/hooks/audit").ToString(), audit["endpoint"]!.GetValue<string>());
        Assert.Equal(1, audit["dead_letters"]!.GetValue<long>());
        Assert.Equal(1, audit["pending_dead_letters"]!.GetValue<long>());
        Assert.True(audit["position"]!.GetValue<long>() >= letters[0]["position"]!.GetValue<long>());
        Assert.Equal(["name", "endpoint", "position", "dead_letters", "pending_dead_letters", "delivered_position"], audit.Select(p => p.Key));
        Assert.Single(Receiver.Delivered(WebhookGatewayFixture.PathOf(WebhookGatewayFixture.Audit), player.Uuid));
    }

    [Fact]
    public async Task ListDeadLetters_TwoForOnePlayer_PagesOldestFirstWithExactFields()
    {
        var (player, letters) = await DeadLettersAsync(WebhookGatewayFixture.Orders, 2);
        var firstId = letters[0]["id"]!.GetValue<long>();
        var url = $"/ops/v1/webhooks/orders/dead-letters?limit=1&after_id={(firstId - 1).ToString(CultureInfo.InvariantCulture)}";

        var first = await fixture.Ops.GetApiAsync(url);
        var second = await fixture.Ops.GetApiAsync($"/ops/v1/webhooks/orders/dead-letters?limit=1&after_id={firstId.ToString(CultureInfo.InvariantCulture)}");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        var letter = Assert.Single(first.BodyObject["dead_letters"]!.AsArray())!.AsObject();
        var expected = new JsonObject
        {
            ["id"] = firstId,
            ["webhook"] = "orders",
            ["position"] = letters[0]["position"]!.GetValue<long>(),
            ["event_id"] = letters[0]["event_id"]!.GetValue<string>(),
            ["player_uuid"] = player.Uuid.ToString("D"),
            ["notification"] = "entitlementUpdated",
            ["attempts"] = 1,
            ["last_error"] = "HTTP 400",
            ["failed_at"] = letter["failed_at"]!.GetValue<string>(),
            ["replayed_at"] = null,
        };
        JsonAssert.Equal(expected, letter);
        Assert.Equal(firstId, first.BodyObject["next_after_id"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(letters[1]["id"]!.GetValue<long>(), Assert.Single(second.BodyObject["dead_letters"]!.AsArray())!["id"]!.GetValue<long>());
        Assert.True(letters[1]["position"]!.GetValue<long>() > letters[0]["position"]!.GetValue<long>());
    }

    [Fact]
    public async Task Replay_EndpointRecovered_Returns200DeliversOriginalAndMarksReplayed()
    {
        var (player, letters) = await DeadLettersAsync(WebhookGatewayFixture.Orders, 1);
        var id = letters[0]["id"]!.GetValue<long>();
        var path = WebhookGatewayFixture.PathOf(WebhookGatewayFixture.Orders);
        var position = await OrdersPositionPastAsync(letters[0]["position"]!.GetValue<long>());

        var response = await fixture.Ops.SendAsync(HttpMethod.Post, $"/ops/v1/webhooks/orders/dead-letters/{id}/replay");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var body = response.BodyObject;
        Assert.Equal("delivered", body["outcome"]!.GetValue<string>());
        Assert.Equal(200, body["status_code"]!.GetValue<int>());
        var replayed = body["dead_letter"]!.AsObject();
        Assert.NotNull(replayed["replayed_at"]);
        var expected = letters[0].DeepClone().AsObject();
        expected["replayed_at"] = replayed["replayed_at"]!.DeepClone();
        JsonAssert.Equal(expected, replayed);
        var requests = Receiver.Requests(path, player.Uuid);
        Assert.Equal([400, 200, 200], requests.Select(r => r.Status));
        Assert.Equal(requests[0].Body, requests[2].Body);
        Assert.Equal(letters[0]["event_id"]!.GetValue<string>(), requests[2].Header(WebhookHeaders.EventId));
        Assert.True(WebhookSignature.Verify(WebhookGatewayFixture.Secret, requests[2].HeaderValues, requests[2].Body, requests[2].ReceivedAt));
        var listed = await fixture.Ops.GetApiAsync($"/ops/v1/webhooks/orders/dead-letters?limit=1&after_id={id - 1}");
        JsonAssert.Equal(replayed, listed.BodyObject["dead_letters"]![0]!);
        // The replay re-sent an older notification; the webhook's own position did not move back to it: it
        // is where it was, and the next grant is the next request the endpoint gets, nothing sent again before it.
        Assert.Equal(position, await OrdersPositionAsync());
        var next = ExpectedEvent.Id(await fixture.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, Sku, Unique.Name("tx"))));
        await Receiver.WaitForDeliveredAsync(path, player.Uuid, 3);
        var after = Receiver.Requests(path, player.Uuid);
        Assert.Equal([400, 200, 200, 200], after.Select(r => r.Status));
        Assert.Equal(next, after[3].Header(WebhookHeaders.EventId));
    }

    [Fact]
    public async Task Replay_EndpointAnswers500Twice_Returns502ProblemAndRecordsEachAttemptOnTheDeadLetter()
    {
        var (player, letters) = await DeadLettersAsync(WebhookGatewayFixture.Orders, 1);
        var id = letters[0]["id"]!.GetValue<long>();
        var url = $"/ops/v1/webhooks/orders/dead-letters/{id}/replay";
        var path = WebhookGatewayFixture.PathOf(WebhookGatewayFixture.Orders);
        Receiver.FailNext(path, player.Uuid, 2, 500);

        var first = await fixture.Ops.SendAsync(HttpMethod.Post, url);
        var afterFirst = await DeadLetterAsync(WebhookGatewayFixture.Orders, id);
        var second = await fixture.Ops.SendAsync(HttpMethod.Post, url);
        var afterSecond = await DeadLetterAsync(WebhookGatewayFixture.Orders, id);

        AssertProblem(HttpStatusCode.BadGateway, "The webhook endpoint did not accept the notification", $"Replay of dead letter {id} to webhook 'orders' failed: HTTP 500. The attempt is recorded on the dead letter (2 attempts).", first);
        AssertProblem(HttpStatusCode.BadGateway, "The webhook endpoint did not accept the notification", $"Replay of dead letter {id} to webhook 'orders' failed: HTTP 500. The attempt is recorded on the dead letter (3 attempts).", second);
        Assert.Equal((500, "HTTP 500"), (first.BodyObject["status_code"]!.GetValue<int>(), first.BodyObject["error"]!.GetValue<string>()));
        Assert.Equal((500, "HTTP 500"), (second.BodyObject["status_code"]!.GetValue<int>(), second.BodyObject["error"]!.GetValue<string>()));
        JsonAssert.Equal(Recorded(letters[0], 2, "HTTP 500", afterFirst), afterFirst);
        JsonAssert.Equal(Recorded(letters[0], 3, "HTTP 500", afterSecond), afterSecond);
        var failedAt = new[] { letters[0], afterFirst, afterSecond }.Select(l => l["failed_at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.True(failedAt[0] < failedAt[1] && failedAt[1] <= failedAt[2], string.Join(", ", failedAt));
        var requests = Receiver.Requests(path, player.Uuid);
        Assert.Equal([(400, "1"), (200, "1"), (500, "2"), (500, "3")], requests.Select(r => (r.Status, r.Header(WebhookHeaders.Attempt))));

        // The failure time and the error are the recorded attempt's; the rest is the dead letter as it was.
        static JsonObject Recorded(JsonObject letter, int attempts, string error, JsonObject now)
        {
            var expected = letter.DeepClone().AsObject();
            expected["attempts"] = attempts;
            expected["last_error"] = error;
            expected["failed_at"] = now["failed_at"]!.DeepClone();
            return expected;
        }
    }

    [Theory]
    [InlineData("POST", "/ops/v1/webhooks/nobody/dead-letters/1/replay", "Webhook 'nobody' has no dead letter '1'.")]
    [InlineData("POST", "/ops/v1/webhooks/orders/dead-letters/9223372036854775807/replay", "Webhook 'orders' has no dead letter '9223372036854775807'.")]
    [InlineData("POST", "/ops/v1/webhooks/orders/dead-letters/abc/replay", "Webhook 'orders' has no dead letter 'abc'.")]
    [InlineData("GET", "/ops/v1/webhooks/nobody/dead-letters", "No webhook is configured with the name 'nobody'.")]
    [InlineData("GET", "/ops/v1/webhooks/Orders/dead-letters", "No webhook is configured with the name 'Orders'.")]
    public async Task Routes_UnknownWebhookOrDeadLetter_Return404Problem(string method, string url, string detail)
    {
        var response = await fixture.Ops.SendAsync(new HttpMethod(method), url);

        AssertProblem(HttpStatusCode.NotFound, "Not found", detail, response);
    }

    [Theory]
    [InlineData("?limit=0", "limit must be a whole number from 1 to 1000.")]
    [InlineData("?limit=1001", "limit must be a whole number from 1 to 1000.")]
    [InlineData("?limit=ten", "limit must be a whole number from 1 to 1000.")]
    [InlineData("?after_id=-1", "after_id must be a whole number, 0 or more.")]
    [InlineData("?limit=5%00", "limit must be a whole number from 1 to 1000.")]
    [InlineData("?limit=%20", "limit must be a whole number from 1 to 1000.")]
    [InlineData("?after_id=0%00", "after_id must be a whole number, 0 or more.")]
    [InlineData("?limit=5&limit=0", "limit must be a whole number from 1 to 1000.")]
    [InlineData("?after_id=1&after_id=-1", "after_id must be a whole number, 0 or more.")]
    public async Task ListDeadLetters_InvalidQuery_Returns400Problem(string query, string detail)
    {
        var response = await fixture.Ops.GetApiAsync("/ops/v1/webhooks/orders/dead-letters" + query);

        AssertProblem(HttpStatusCode.BadRequest, "Invalid query", detail, response);
    }

    [Theory]
    [InlineData("limit=1000&limit=1&after_id={before}")]
    [InlineData("limit=x&limit=1&after_id={before}")]
    [InlineData("limit=1&after_id={first}&after_id={before}")]
    [InlineData("limit=1&after_id=x&after_id={before}")]
    [InlineData("limit=%201%20&after_id={before}")]
    [InlineData("limit=%2B1&after_id=%09{before}%20")]
    public async Task ListDeadLetters_QueryReadAsEveryQueryOfTheGateway_ListsTheFirstLetterAlone(string query)
    {
        // As every query parameter of the gateway: the last value given counts, whatever the earlier ones were,
        // and a whole number is read as pydantic reads one from a string (surrounding whitespace dropped).
        var (_, letters) = await DeadLettersAsync(WebhookGatewayFixture.Orders, 2);
        var firstId = letters[0]["id"]!.GetValue<long>();
        var url = "/ops/v1/webhooks/orders/dead-letters?" + query
            .Replace("{before}", (firstId - 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{first}", firstId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var response = await fixture.Ops.GetApiAsync(url);

        Assert.True(response.Status == HttpStatusCode.OK, $"answered {response}");
        var letter = Assert.Single(response.BodyObject["dead_letters"]!.AsArray())!;
        Assert.Equal(firstId, letter["id"]!.GetValue<long>());
        Assert.Equal(firstId, response.BodyObject["next_after_id"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("GET", "/ops/v1/webhooks")]
    [InlineData("GET", "/ops/v1/webhooks/orders/dead-letters")]
    [InlineData("POST", "/ops/v1/webhooks/orders/dead-letters/1/replay")]
    public async Task Routes_TokenWithoutOpsWebhooks_Return403(string method, string url)
    {
        using var dashboard = fixture.ClientWith("ops:dashboard", "inv:*", "user:*");

        var withoutOps = await fixture.Client.SendAsync(new HttpMethod(method), url);
        var otherOps = await dashboard.SendAsync(new HttpMethod(method), url);

        AuthHttp.Forbidden(withoutOps);
        AuthHttp.Forbidden(otherOps);
    }

    [Fact]
    public async Task ListWebhooks_OperatorWildcard_Returns200()
    {
        using var operators = fixture.ClientWith("ops:*");

        var response = await operators.GetApiAsync("/ops/v1/webhooks");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(2, response.BodyObject["webhooks"]!.AsArray().Count);
    }

    private static void AssertProblem(HttpStatusCode status, string title, string detail, ApiResponse response)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.ContentHeaders.ContentType?.MediaType);
        var problem = response.BodyObject;
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.Equal(title, problem["title"]!.GetValue<string>());
        Assert.Equal(detail, problem["detail"]!.GetValue<string>());
    }

    /// <summary>
    /// A new player whose next <paramref name="count"/> notifications to <paramref name="webhook"/> are
    /// answered 400, then that many grants and one more: once the last is delivered, the others are dead
    /// letters (one attempt each). Returns them as the API lists them, oldest first.
    /// </summary>
    private async Task<long> OrdersPositionAsync()
    {
        var response = await fixture.Ops.GetApiAsync("/ops/v1/webhooks");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.BodyObject["webhooks"]!.AsArray().Single(w => w!["name"]!.GetValue<string>() == WebhookGatewayFixture.Orders)!["position"]!.GetValue<long>();
    }

    /// <summary>The orders webhook's position once it has moved past <paramref name="position"/> (it is stored after the delivery is answered).</summary>
    private async Task<long> OrdersPositionPastAsync(long position)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var current = await OrdersPositionAsync();
            if (current > position)
            {
                return current;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the orders webhook stayed at position {current}, not past {position}");
            await Task.Delay(50);
        }
    }

    /// <summary>One dead letter of <paramref name="webhook"/> as the API lists it.</summary>
    private async Task<JsonObject> DeadLetterAsync(string webhook, long id)
    {
        var listed = await fixture.Ops.GetApiAsync($"/ops/v1/webhooks/{webhook}/dead-letters?limit=1&after_id={id - 1}");
        Assert.Equal(HttpStatusCode.OK, listed.Status);
        return Assert.Single(listed.BodyObject["dead_letters"]!.AsArray())!.AsObject();
    }

    private async Task<(Player Player, List<JsonObject> Letters)> DeadLettersAsync(string webhook, int count)
    {
        var player = await fixture.Client.CreatePlayerAsync();
        var path = WebhookGatewayFixture.PathOf(webhook);
        Receiver.FailNext(path, player.Uuid, count, 400);
        for (var i = 0; i <= count; i++)
        {
            await fixture.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, Sku, Unique.Name("tx")));
        }

        await Receiver.WaitForDeliveredAsync(path, player.Uuid, 1);
        var all = await fixture.Ops.GetApiAsync($"/ops/v1/webhooks/{webhook}/dead-letters?limit=1000");
        Assert.Equal(HttpStatusCode.OK, all.Status);
        var letters = all.BodyObject["dead_letters"]!.AsArray()
            .Select(l => l!.AsObject())
            .Where(l => l["player_uuid"]!.GetValue<string>() == player.Uuid.ToString("D"))
            .ToList();
        Assert.Equal(count, letters.Count);
        return (player, letters);
    }
}
