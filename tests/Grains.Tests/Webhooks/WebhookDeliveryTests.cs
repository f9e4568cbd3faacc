using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Entitlements.Notifications;
using Entitlements.Webhooks;

namespace Entitlements.Tests.Webhooks;

/// <summary>
/// The webhook grain against a real HTTP receiver on loopback: what it sends, in which order, how it
/// retries and when it gives up. Each test uses its own players; the receiver's rules are per player.
/// </summary>
public sealed class WebhookDeliveryTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private const string Path = WebhookFixture.Path;

    /// <summary>How much earlier than asked a wait of the runtime's timers may end, as another clock sees it.</summary>
    private static readonly TimeSpan TimerGranularity = TimeSpan.FromMilliseconds(20);

    private readonly LedgerActions _ledger = new(fixture.Client);

    private WebhookReceiver Receiver => fixture.Receiver;

    private IWebhookGrain Webhook => fixture.Client.GetGrain<IWebhookGrain>(WebhookFixture.Name);

    [Fact]
    public async Task Grant_Committed_PostsSignedEntitlementUpdatedWithExactHeaders()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();

        var grant = await _ledger.GrantAsync(user, sku, quantity: 2);

        var request = Assert.Single(await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1));
        var notification = Assert.Single(await _ledger.NotificationsAsync(user.PlayerUuid));
        Assert.Equal(NotificationJson.Serialize(notification), request.Body);
        Assert.Equal(EntitlementUpdateAction.Grant, NotificationJson.DeserializeEntitlementUpdated(request.Body).Payload.Action);
        Assert.Equal("application/json; charset=utf-8", request.Header("Content-Type"));
        Assert.Equal(grant.EventId, request.Header(WebhookHeaders.EventId));
        Assert.Equal("entitlementUpdated", request.Header(WebhookHeaders.Notification));
        Assert.Equal(user.PlayerUuid.ToString("D"), request.Header(WebhookHeaders.Player));
        Assert.Equal("1", request.Header(WebhookHeaders.Version));
        Assert.Equal(notification.Cursor, request.Header(WebhookHeaders.Cursor));
        Assert.Equal("1", request.Header(WebhookHeaders.Attempt));
        Assert.Matches("^[0-9a-f]{32}$", request.Header(WebhookHeaders.Delivery));
        var signature = request.Header(WebhookHeaders.Signature);
        Assert.Matches("^t=[0-9]+,v2=[0-9a-f]{64}$", signature);
        var signedAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(signature[2..signature.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture));
        Assert.InRange(signedAt, request.ReceivedAt.AddSeconds(-5), request.ReceivedAt.AddSeconds(1));
        Assert.Equal(WebhookSignature.Sign(WebhookCluster.Secret, signedAt, request.HeaderValues, request.Body), signature);
        Assert.True(WebhookSignature.Verify(WebhookCluster.Secret, request.HeaderValues, request.Body, request.ReceivedAt));
        Assert.False(WebhookSignature.Verify(WebhookCluster.Secret + "x", request.HeaderValues, request.Body, request.ReceivedAt));
        Assert.False(WebhookSignature.Verify(WebhookCluster.Secret, request.HeaderValues, request.Body.Replace("grant", "revoke", StringComparison.Ordinal), request.ReceivedAt));
        Assert.False(WebhookSignature.Verify(WebhookCluster.Secret, request.HeaderValues, request.Body, request.ReceivedAt.AddMinutes(6)));
    }

    /// <summary>
    /// Someone who captured one signed delivery sends it again within the five minutes with one header
    /// changed: another event id (to get past the receiver's deduplication and have it applied twice), another
    /// player (to have it applied to them), and so on. A receiver that verifies as the docs say accepts the
    /// untouched request and refuses the altered one, so the notification is applied once, to its player.
    /// </summary>
    [Theory]
    [InlineData(WebhookHeaders.EventId, "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b")]
    [InlineData(WebhookHeaders.Notification, "revocationCompleted")]
    [InlineData(WebhookHeaders.Player, "6f1c2b3a-4d5e-4f60-8a71-92b3c4d5e6f7")]
    [InlineData(WebhookHeaders.Version, "2")]
    [InlineData(WebhookHeaders.Cursor, "AgAAAAAAAAAqAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData(WebhookHeaders.Delivery, "5d41402abc4b2a76b9719d911017c592")]
    [InlineData(WebhookHeaders.Attempt, "2")]
    public async Task Delivery_SentAgainWithAHeaderChanged_IsRefusedByAReceiverThatVerifies(string header, string forged)
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        var grant = await _ledger.GrantAsync(user, sku);
        var captured = Assert.Single(await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1));
        await using var receiver = await VerifyingReceiver.StartAsync(WebhookCluster.Secret);
        using var http = new HttpClient();

        var untouched = await SendAgainAsync(http, receiver.Url, captured, header, captured.Header(header));
        var altered = await SendAgainAsync(http, receiver.Url, captured, header, forged);

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.Unauthorized), (untouched, altered));
        Assert.Equal([(grant.EventId, "entitlementUpdated", user.PlayerUuid.ToString("D"))], receiver.Applied);
    }

    [Fact]
    public async Task Refund_Committed_PostsEntitlementUpdatedThenRevocationCompletedInLedgerOrder()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        var grant = await _ledger.GrantAsync(user, sku, quantity: 3);

        var refund = await _ledger.RefundAsync(user, sku, grant);

        var delivered = await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 3);
        var feed = await _ledger.NotificationsAsync(user.PlayerUuid);
        Assert.Equal(3, feed.Count);
        Assert.Equal(feed.Select(NotificationJson.Serialize), delivered.Select(r => r.Body));
        Assert.Equal([grant.EventId, refund.EventId, refund.EventId], delivered.Select(r => r.Header(WebhookHeaders.EventId)));
        Assert.Equal(["entitlementUpdated", "entitlementUpdated", "revocationCompleted"], delivered.Select(r => r.Header(WebhookHeaders.Notification)));
        Assert.Equal(["1", "2", "2"], delivered.Select(r => r.Header(WebhookHeaders.Version)));
        Assert.Equal(EntitlementUpdateAction.Revoke, NotificationJson.DeserializeEntitlementUpdated(delivered[1].Body).Payload.Action);
        Assert.Equal(refund.EventId, NotificationJson.DeserializeRevocationCompleted(delivered[2].Body).Id);
        Assert.All(delivered, r => Assert.True(WebhookSignature.Verify(WebhookCluster.Secret, r.HeaderValues, r.Body, r.ReceivedAt)));
        Assert.Equal(3, Receiver.Requests(Path, user.PlayerUuid).Count);
    }

    [Fact]
    public async Task RefundWithNoGrant_Committed_PostsOnlyRevocationCompleted()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();

        var refund = await _ledger.RefundWithNoGrantAsync(user, sku);
        var grant = await _ledger.GrantAsync(user, sku);

        var delivered = await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 2);
        var feed = await _ledger.NotificationsAsync(user.PlayerUuid);
        Assert.Equal(feed.Select(NotificationJson.Serialize), delivered.Select(r => r.Body));
        Assert.Equal(
            [(refund.EventId, "revocationCompleted", "1"), (grant.EventId, "entitlementUpdated", "2")],
            delivered.Select(r => (r.Header(WebhookHeaders.EventId), r.Header(WebhookHeaders.Notification), r.Header(WebhookHeaders.Version))));
        var revocation = NotificationJson.DeserializeRevocationCompleted(delivered[0].Body);
        Assert.Equal((refund.EventId, "SUCCESS"), (revocation.Id, revocation.Payload.Status));
        Assert.All(delivered, r => Assert.True(WebhookSignature.Verify(WebhookCluster.Secret, r.HeaderValues, r.Body, r.ReceivedAt)));
        Assert.Equal(2, Receiver.Requests(Path, user.PlayerUuid).Count);
    }

    [Fact]
    public async Task ServiceUnavailable_TwiceThenOk_RetriesAndDeliversOnce()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        Receiver.FailNext(Path, user.PlayerUuid, 2, 503);

        await _ledger.GrantAsync(user, sku);

        await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1);
        var requests = Receiver.Requests(Path, user.PlayerUuid);
        Assert.Equal([503, 503, 200], requests.Select(r => r.Status));
        Assert.Equal(["1", "2", "3"], requests.Select(r => r.Header(WebhookHeaders.Attempt)));
        Assert.Single(requests.Select(r => r.Body).Distinct());
        Assert.Single(requests.Select(r => r.Header(WebhookHeaders.EventId)).Distinct());
        Assert.Equal(3, requests.Select(r => r.Header(WebhookHeaders.Delivery)).Distinct().Count());
        Assert.DoesNotContain(await AllDeadLettersAsync(), d => d.PlayerUuid == user.PlayerUuid);
    }

    [Fact]
    public async Task TooManyRequests_WithRetryAfter_WaitsThatLongBeforeRetrying()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        Receiver.FailNext(Path, user.PlayerUuid, 1, 429, retryAfter: "1");

        await _ledger.GrantAsync(user, sku);

        await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1);
        var requests = Receiver.Requests(Path, user.PlayerUuid);
        Assert.Equal([429, 200], requests.Select(r => r.Status));
        // The backoff alone would be 10-20 ms; Retry-After asked for a second. The runtime's timers count a
        // coarse millisecond clock (on Linux it advances in steps of a few milliseconds), so a one-second wait
        // can end a few milliseconds short of a second on the receiver's clock (seen: 999.4 ms).
        var waited = requests[1].ReceivedAt - requests[0].ReceivedAt;
        Assert.True(waited >= TimeSpan.FromSeconds(1) - TimerGranularity, $"retried after {waited}");
    }

    [Fact]
    public async Task GetStatus_WhileARetryWaits_AnswersWithoutWaitingForIt()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        Receiver.FailNext(Path, user.PlayerUuid, 1, 429, retryAfter: "3");
        await _ledger.GrantAsync(user, sku);
        await Receiver.WaitForArrivalsAsync(Path, user.PlayerUuid, 1);

        var status = await Webhook.GetStatusAsync();
        var letters = await Webhook.ListDeadLettersAsync(0, 1);

        Assert.Equal(WebhookFixture.Name, status?.Name);
        Assert.NotNull(letters);
        // The retry comes three seconds after the 429: the answers above did not wait for it.
        Assert.Empty(Receiver.Delivered(Path, user.PlayerUuid));
        await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1);
    }

    [Fact]
    public async Task BadRequest_Once_DeadLettersAtOnceAndDeliversTheNext()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        Receiver.FailNext(Path, user.PlayerUuid, 1, 400);

        var first = await _ledger.GrantAsync(user, sku);
        var second = await _ledger.GrantAsync(user, sku);

        var delivered = Assert.Single(await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1));
        Assert.Equal(second.EventId, delivered.Header(WebhookHeaders.EventId));
        Assert.Equal([400, 200], Receiver.Requests(Path, user.PlayerUuid).Select(r => r.Status));
        var feed = await _ledger.NotificationsAsync(user.PlayerUuid);
        var letter = Assert.Single(await AllDeadLettersAsync(), d => d.PlayerUuid == user.PlayerUuid);
        var expected = new WebhookDeadLetter
        {
            Id = letter.Id,
            Webhook = WebhookFixture.Name,
            Position = feed[0].Position,
            EventId = first.EventId,
            PlayerUuid = user.PlayerUuid,
            Kind = NotificationKind.EntitlementUpdated,
            Attempts = 1,
            LastError = "HTTP 400",
            Failed = letter.Failed,
            Replayed = null,
        };
        Assert.Equal(expected, letter);
    }

    [Fact]
    public async Task ServerError_EveryAttempt_DeadLettersAfterMaxAttemptsAndDeliversTheNext()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        Receiver.FailNext(Path, user.PlayerUuid, 3, 500);

        var first = await _ledger.GrantAsync(user, sku);
        var second = await _ledger.GrantAsync(user, sku);

        var delivered = Assert.Single(await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1));
        Assert.Equal(second.EventId, delivered.Header(WebhookHeaders.EventId));
        var requests = Receiver.Requests(Path, user.PlayerUuid);
        Assert.Equal([500, 500, 500, 200], requests.Select(r => r.Status));
        Assert.Equal([first.EventId, first.EventId, first.EventId, second.EventId], requests.Select(r => r.Header(WebhookHeaders.EventId)));
        var letter = Assert.Single(await AllDeadLettersAsync(), d => d.PlayerUuid == user.PlayerUuid);
        Assert.Equal((first.EventId, 3, "HTTP 500", (DateTimeOffset?)null), (letter.EventId, letter.Attempts, letter.LastError, letter.Replayed));
    }

    [Fact]
    public async Task Replay_DeadLetterOnceEndpointRecovers_ResendsOriginalMessageAndMarksReplayed()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        Receiver.FailNext(Path, user.PlayerUuid, 1, 410);
        var grant = await _ledger.GrantAsync(user, sku);
        var letter = await DeadLetterAfterNextGrantAsync(user, sku);
        var before = DateTimeOffset.UtcNow;

        var result = await Webhook.ReplayAsync(letter.Id);

        Assert.Equal(WebhookReplayOutcome.Delivered, result.Outcome);
        Assert.Equal(200, result.StatusCode);
        Assert.Null(result.Error);
        Assert.NotNull(result.DeadLetter?.Replayed);
        Assert.InRange(result.DeadLetter.Replayed.Value, before.AddMilliseconds(-1), DateTimeOffset.UtcNow);
        Assert.Equal(letter with { Replayed = result.DeadLetter.Replayed }, result.DeadLetter);
        var requests = Receiver.Requests(Path, user.PlayerUuid);
        Assert.Equal([410, 200, 200], requests.Select(r => r.Status));
        var replayed = requests[2];
        Assert.Equal(requests[0].Body, replayed.Body);
        Assert.Equal(NotificationJson.Serialize((await _ledger.NotificationsAsync(user.PlayerUuid))[0]), replayed.Body);
        Assert.Equal((grant.EventId, "2"), (replayed.Header(WebhookHeaders.EventId), replayed.Header(WebhookHeaders.Attempt)));
        Assert.True(WebhookSignature.Verify(WebhookCluster.Secret, replayed.HeaderValues, replayed.Body, replayed.ReceivedAt));
    }

    [Fact]
    public async Task Replay_EndpointStillFailingTwice_ReportsFailureAndRecordsEachAttemptOnTheDeadLetter()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        Receiver.FailNext(Path, user.PlayerUuid, 1, 404);
        await _ledger.GrantAsync(user, sku);
        var letter = await DeadLetterAfterNextGrantAsync(user, sku);
        Receiver.FailNext(Path, user.PlayerUuid, 2, 503);
        var before = DateTimeOffset.UtcNow;

        var first = await Webhook.ReplayAsync(letter.Id);
        var second = await Webhook.ReplayAsync(letter.Id);

        Assert.NotNull(first.DeadLetter);
        Assert.NotNull(second.DeadLetter);
        Assert.InRange(first.DeadLetter.Failed, before.AddMilliseconds(-1), second.DeadLetter.Failed);
        Assert.InRange(second.DeadLetter.Failed, first.DeadLetter.Failed, DateTimeOffset.UtcNow);
        var once = letter with { Attempts = 2, LastError = "HTTP 503", Failed = first.DeadLetter.Failed };
        var twice = letter with { Attempts = 3, LastError = "HTTP 503", Failed = second.DeadLetter.Failed };
        Assert.Equal(new WebhookReplayResult { Outcome = WebhookReplayOutcome.Failed, StatusCode = 503, Error = "HTTP 503", DeadLetter = once }, first);
        Assert.Equal(new WebhookReplayResult { Outcome = WebhookReplayOutcome.Failed, StatusCode = 503, Error = "HTTP 503", DeadLetter = twice }, second);
        Assert.Equal(twice, Assert.Single(await AllDeadLettersAsync(), d => d.Id == letter.Id));
        var requests = Receiver.Requests(Path, user.PlayerUuid);
        Assert.Equal([(404, "1"), (200, "1"), (503, "2"), (503, "3")], requests.Select(r => (r.Status, r.Header(WebhookHeaders.Attempt))));
    }

    [Fact]
    public async Task Replay_SameDeadLetterTwiceAtOnce_SendsOnceAndBothGetItsAnswer()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        Receiver.FailNext(Path, user.PlayerUuid, 1, 404);
        await _ledger.GrantAsync(user, sku);
        var letter = await DeadLetterAfterNextGrantAsync(user, sku);
        // The endpoint holds the replay until the sender's 5 s timeout ends it: the second replay is asked for meanwhile.
        Receiver.StallNext(Path, user.PlayerUuid, 2);

        var answers = await Task.WhenAll(Webhook.ReplayAsync(letter.Id), Webhook.ReplayAsync(letter.Id));

        Assert.Equal(answers[0], answers[1]);
        Assert.Equal((WebhookReplayOutcome.Failed, 2), (answers[0].Outcome, answers[0].DeadLetter?.Attempts));
        Assert.Equal(2, Assert.Single(await AllDeadLettersAsync(), d => d.Id == letter.Id).Attempts);
        Assert.Equal(["1", "1", "2"], Receiver.Requests(Path, user.PlayerUuid).Select(r => r.Header(WebhookHeaders.Attempt)));
    }

    [Fact]
    public async Task Replay_UnknownIdOrWebhook_ReturnsNotFound()
    {
        var unknownId = await Webhook.ReplayAsync(long.MaxValue);
        var unknownWebhook = await fixture.Client.GetGrain<IWebhookGrain>("nobody").ReplayAsync(1);

        Assert.Equal(new WebhookReplayResult { Outcome = WebhookReplayOutcome.NotFound }, unknownId);
        Assert.Equal(new WebhookReplayResult { Outcome = WebhookReplayOutcome.NotFound }, unknownWebhook);
        Assert.Null(await fixture.Client.GetGrain<IWebhookGrain>("nobody").GetStatusAsync());
    }

    [Fact]
    public async Task StalledEndpoint_FirstAttemptTimesOut_RetriesAndDelivers()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        Receiver.StallNext(Path, user.PlayerUuid, 1);

        var grant = await _ledger.GrantAsync(user, sku);

        var delivered = Assert.Single(await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1));
        Assert.Equal((grant.EventId, "2"), (delivered.Header(WebhookHeaders.EventId), delivered.Header(WebhookHeaders.Attempt)));
        Assert.DoesNotContain(await AllDeadLettersAsync(), d => d.PlayerUuid == user.PlayerUuid);
    }

    [Fact]
    public async Task ConnectionDropped_FirstAttempt_RetriesAndDelivers()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        Receiver.AbortNext(Path, user.PlayerUuid);

        var grant = await _ledger.GrantAsync(user, sku);

        var delivered = Assert.Single(await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1));
        var requests = Receiver.Requests(Path, user.PlayerUuid);
        Assert.Equal([0, 200], requests.Select(r => r.Status));
        Assert.Equal(["1", "2"], requests.Select(r => r.Header(WebhookHeaders.Attempt)));
        Assert.Equal(grant.EventId, delivered.Header(WebhookHeaders.EventId));
        Assert.DoesNotContain(await AllDeadLettersAsync(), d => d.PlayerUuid == user.PlayerUuid);
    }

    [Fact]
    public async Task RequestTimeout408_Once_RetriesAndDelivers()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        Receiver.FailNext(Path, user.PlayerUuid, 1, 408);

        var grant = await _ledger.GrantAsync(user, sku);

        var delivered = Assert.Single(await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1));
        var requests = Receiver.Requests(Path, user.PlayerUuid);
        Assert.Equal([408, 200], requests.Select(r => r.Status));
        Assert.Equal((grant.EventId, "2"), (delivered.Header(WebhookHeaders.EventId), delivered.Header(WebhookHeaders.Attempt)));
        Assert.DoesNotContain(await AllDeadLettersAsync(), d => d.PlayerUuid == user.PlayerUuid);
    }

    /// <summary>
    /// A redirect is a permanent failure, not followed: 307 and 308 would repeat the POST at the new
    /// location, which the receiver would accept.
    /// </summary>
    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Redirect_Once_DeadLettersAtOnceWithoutFollowingIt(int status)
    {
        const string Moved = "/hooks/moved";
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        Receiver.RedirectNext(Path, user.PlayerUuid, status, Receiver.Url(Moved));

        var first = await _ledger.GrantAsync(user, sku);
        var second = await _ledger.GrantAsync(user, sku);

        var delivered = Assert.Single(await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1));
        Assert.Equal(second.EventId, delivered.Header(WebhookHeaders.EventId));
        Assert.Equal([status, 200], Receiver.Requests(Path, user.PlayerUuid).Select(r => r.Status));
        Assert.Empty(Receiver.Requests(Moved, user.PlayerUuid));
        var letter = Assert.Single(await AllDeadLettersAsync(), d => d.PlayerUuid == user.PlayerUuid);
        Assert.Equal((first.EventId, 1, $"HTTP {status}", (DateTimeOffset?)null), (letter.EventId, letter.Attempts, letter.LastError, letter.Replayed));
    }

    [Fact]
    public async Task ServiceUnavailable_WithRetryAfterDate_WaitsUntilThatDateBeforeRetrying()
    {
        var user = await _ledger.NewPlayerAsync();
        var sku = await _ledger.PutSkuAsync();
        var retryAt = DateTimeOffset.UtcNow.AddSeconds(4);
        Receiver.FailNext(Path, user.PlayerUuid, 1, 503, retryAfter: retryAt.ToString("r", CultureInfo.InvariantCulture));

        await _ledger.GrantAsync(user, sku);

        await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1);
        var requests = Receiver.Requests(Path, user.PlayerUuid);
        Assert.Equal([503, 200], requests.Select(r => r.Status));
        // The date is sent in whole seconds; the backoff alone would be 10-20 ms.
        var sent = new DateTimeOffset(retryAt.Ticks - (retryAt.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        Assert.True(requests[1].ReceivedAt >= sent.AddMilliseconds(-50), $"retried at {requests[1].ReceivedAt:O}, Retry-After was {sent:O}");
    }

    [Fact]
    public async Task ManyPlayers_ConcurrentChanges_EachPlayersNotificationsArriveInLedgerOrder()
    {
        var sku = await _ledger.PutSkuAsync();
        var users = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _ledger.NewPlayerAsync()));

        await Task.WhenAll(users.Select(async user =>
        {
            var grant = await _ledger.GrantAsync(user, sku, quantity: 2);
            await _ledger.GrantAsync(user, sku);
            await _ledger.RefundAsync(user, sku, grant);
            await _ledger.GrantAsync(user, sku, quantity: 4);
        }));

        foreach (var user in users)
        {
            var delivered = await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 5);
            var feed = await _ledger.NotificationsAsync(user.PlayerUuid);
            Assert.Equal(5, feed.Count);
            Assert.Equal(feed.Select(NotificationJson.Serialize), delivered.Select(r => r.Body));
            Assert.Equal(["1", "2", "3", "3", "4"], delivered.Select(r => r.Header(WebhookHeaders.Version)));
        }
    }

    private async Task<List<WebhookDeadLetter>> AllDeadLettersAsync()
    {
        var all = new List<WebhookDeadLetter>();
        WebhookDeadLetterPage page;
        do
        {
            page = await Webhook.ListDeadLettersAsync(all.Count > 0 ? all[^1].Id : 0, 2);
            all.AddRange(page.DeadLetters);
        }
        while (page.More);

        return all;
    }

    /// <summary>
    /// Commit one more grant and wait for its delivery: the webhook goes in order, so by then the
    /// player's earlier notification has been dead-lettered. Returns that dead letter.
    /// </summary>
    private async Task<WebhookDeadLetter> DeadLetterAfterNextGrantAsync(Contracts.PlatformUserLink user, Contracts.CatalogSku sku)
    {
        await _ledger.GrantAsync(user, sku);
        await Receiver.WaitForDeliveredAsync(Path, user.PlayerUuid, 1);
        return Assert.Single(await AllDeadLettersAsync(), d => d.PlayerUuid == user.PlayerUuid);
    }

    /// <summary>POST <paramref name="captured"/> to <paramref name="url"/> again, its body and headers as they were but <paramref name="header"/> set to <paramref name="value"/>.</summary>
    private static async Task<HttpStatusCode> SendAgainAsync(HttpClient http, Uri url, ReceivedWebhook captured, string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(captured.Body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(captured.Header("Content-Type"));
        foreach (var (name, received) in captured.Headers.Where(h => h.Key.StartsWith("x-entitlements-", StringComparison.Ordinal)))
        {
            request.Headers.Add(name, string.Equals(name, header, StringComparison.OrdinalIgnoreCase) ? value : received);
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
