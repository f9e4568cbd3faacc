using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Notifications;
using Entitlements.Tests.PlayFab;
using Xunit.Abstractions;

namespace Entitlements.Tests.Outage;

/// <summary>
/// PostgreSQL crashes (<c>pg_ctl stop -m immediate</c>) under a real gateway process and comes back: every
/// request meanwhile is answered 503 with <c>Retry-After</c>, fast, in its surface's own format; nothing
/// acknowledged is lost, nothing is half-written, and the gateway resumes by itself.
/// </summary>
[Collection(OutageDefinition.Name)]
public sealed class PostgresOutageTests(PostgresOutageFixture fixture, ITestOutputHelper output) : IClassFixture<PostgresOutageFixture>
{
    private const int Players = 4;
    private const int Clients = 6;
    private const long GemsPerQuantity = 100;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan QuietAfterRecovery = TimeSpan.FromSeconds(3);

    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task GrantLoad_PostgresCrashesAndRestarts_503FastWhileDown_ExactlyOnceAfter_ResumesByItself()
    {
        var players = new List<Player>();
        for (var i = 0; i < Players; i++)
        {
            players.Add(await _client.CreatePlayerAsync());
        }

        var clock = Stopwatch.StartNew();
        var sent = new ConcurrentQueue<SentGrant>();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(i => Task.Run(() => GrantUntilStoppedAsync(players[i % Players], clock, sent, stop.Token))).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        await fixture.Postgres.CrashAsync();
        var down = clock.Elapsed;
        await Task.Delay(Outage);
        var restarting = clock.Elapsed;
        await fixture.Postgres.StartAgainAsync();
        var ready = clock.Elapsed;
        var (firstOk, lastFailure) = await WaitForQuietAsync(clock, sent, ready);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var grants = sent.ToList();
        var recovery = lastFailure is { } failure && failure > ready ? failure - ready : TimeSpan.Zero;
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{grants.Count} grants from {Clients} clients; PostgreSQL down {restarting - down:g}, restart took {ready - restarting:g}; " +
            $"after it was ready: first 200 at +{firstOk - ready:g}, last non-200 answer at +{recovery:g}; " +
            $"503s: {grants.Count(g => g.Status == HttpStatusCode.ServiceUnavailable)}; slowest answer {grants.Max(g => g.End - g.Start):g}"));

        foreach (var slow in grants.OrderByDescending(g => g.End - g.Start).Take(3))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"slow: sent at {slow.Start - down:g} from the crash, took {slow.End - slow.Start:g}, answered {(int)slow.Status}"));
        }

        // While down: 503 in RallyHere's shape with Retry-After, fast, never 500, never hanging.
        Assert.All(grants, g => Assert.True(
            g.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable,
            $"{g.TransactionId} sent at {g.Start:g} answered {g.Response}"));
        Assert.All(grants, g => Assert.True(
            g.End - g.Start < PostgresOutageFixture.AnswerBound, $"{g.TransactionId} sent at {g.Start:g} took {g.End - g.Start:g}"));
        Assert.All(grants.Where(g => g.Status == HttpStatusCode.ServiceUnavailable), g => AssertRallyHere503(g.Response));
        var whileDown = grants.Where(g => g.Start >= down && g.End <= restarting).ToList();
        Assert.NotEmpty(whileDown);
        Assert.All(whileDown, g => Assert.Equal(HttpStatusCode.ServiceUnavailable, g.Status));
        Assert.True(recovery < RecoveryLimit, $"the gateway answered non-200 until {recovery:g} after PostgreSQL was ready");

        // Acknowledged: in the ledger exactly once, as acknowledged. Unknown (503): absent or once.
        var ledger = await LedgerByTransactionAsync(players);
        Assert.All(grants.Where(g => g.Status == HttpStatusCode.OK), g =>
        {
            var recorded = Assert.Single(ledger[g.TransactionId]);
            Assert.Equal(g.Response.BodyObject["event_id"]!.GetValue<string>(), recorded["event_id"]!.GetValue<string>());
        });
        Assert.All(grants.Where(g => g.Status != HttpStatusCode.OK), g => Assert.True(
            !ledger.Contains(g.TransactionId) || ledger[g.TransactionId].Count() == 1, $"{g.TransactionId} is in the ledger {ledger[g.TransactionId].Count()} times"));
        var unknown = grants.Where(g => g.Status != HttpStatusCode.OK).ToList();
        output.WriteLine($"unknown outcomes: {unknown.Count}, of which committed: {unknown.Count(g => ledger.Contains(g.TransactionId))}");

        // Sending an unknown-outcome grant again with the same transaction id records it exactly once.
        foreach (var grant in unknown)
        {
            var again = await _client.PostEventAsync(EventRequests.Grant(grant.Player.PlatformUserId, "gems_100", grant.TransactionId, grant.Quantity));
            Assert.True(again.Status == HttpStatusCode.OK, $"resending {grant.TransactionId} answered {again}");
        }

        ledger = await LedgerByTransactionAsync(players);
        var sentIds = grants.Select(g => g.TransactionId).ToHashSet();
        Assert.All(ledger, transaction => Assert.Contains(transaction.Key, sentIds));
        foreach (var grant in grants)
        {
            var recorded = Assert.Single(ledger[grant.TransactionId]);
            Assert.Equal(grant.Quantity, recorded["quantity"]!.GetValue<long>());
            Assert.Equal("success", recorded["status"]!.GetValue<string>());
            Assert.Equal(grant.Player.Uuid.ToString(), recorded["player_uuid"]!.GetValue<string>());
        }

        // Each player's entitlements are the fold of its events (and of what was sent).
        foreach (var player in players)
        {
            var events = ledger.SelectMany(t => t).Where(e => e["player_uuid"]!.GetValue<string>() == player.Uuid.ToString()).ToList();
            var folded = events.Sum(e => e["quantity"]!.GetValue<long>()) * GemsPerQuantity;
            var gems = Assert.Single(await _client.EntitlementsOkAsync(player.Uuid))!;
            Assert.Equal("gems", gems["itemId"]!.GetValue<string>());
            Assert.Equal(folded, gems["useCount"]!.GetValue<long>());
            Assert.Equal(grants.Where(g => g.Player == player).Sum(g => g.Quantity) * GemsPerQuantity, folded);
        }
    }

    [Fact]
    public async Task EverySurface_WhilePostgresIsDown_Answers503InItsOwnFormat_AndAConnectedStreamResumes()
    {
        var player = await _client.CreatePlayerAsync();
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"), quantity: 1));
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"), quantity: 1));
        var keptPageQuery = $"{GatewayHttp.EventsPath}?player_uuid={player.Uuid}&limit=1";
        var keptPage = await _client.GetApiAsync(keptPageQuery);
        Assert.Equal(HttpStatusCode.OK, keptPage.Status);
        var (_, product) = await _client.PutXboxCatalogAsync("consumable", Unique.Name("outage-gems"), "Outage Gems");
        var xuid = await fixture.Simulator.CreateUserAsync(SimulatorHost.Item("c1", product, "Consumable", 2));
        var xboxToken = await fixture.Simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(xboxToken);
        var unknownXuid = await fixture.Simulator.CreateUserAsync();
        var unknownXboxToken = await fixture.Simulator.TokenAsync(unknownXuid);
        var operatorToken = _client.DefaultRequestHeaders.Authorization!.Parameter!;
        await using var connected = await PushEventStream.OpenAsync(fixture.Gateway.BaseAddress, PushRoutes.AllSse, operatorToken);
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"), quantity: 1));
        var userId = player.Uuid.ToString("N");
        var resumeAfter = Uri.EscapeDataString((await connected.ReadUntilAsync(e => e.Event == "entitlementUpdated"
            && e.Json["payload"]!["data"]![0]!["userId"]!.GetValue<string>() == userId))[^1].Id!);

        await fixture.Postgres.CrashAsync();
        try
        {
            // RallyHere routes: HzApiErrorModel.
            AssertRallyHere503(await TimedAsync(c => c.PostEventAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"), quantity: 1))));
            AssertRallyHere503(await TimedAsync(c => c.GetEntitlementsAsync(Guid.NewGuid())));
            AssertRallyHere503(await TimedAsync(c => c.GetApiAsync(GatewayHttp.EventsPath + "?limit=10")));

            // A page the gateway keeps (full, followed by a newer event) was read from committed events: still served.
            var kept = await TimedAsync(c => c.GetApiAsync(keptPageQuery));
            Assert.Equal((HttpStatusCode.OK, keptPage.Body), (kept.Status, kept.Body));
            AssertRallyHere503(await TimedAsync(c => c.SendAsync(HttpMethod.Put, $"/users/v1/platform-user?platform=Steam&platform_user_id={Unique.Name("steam")}&display_name=Tester")));
            AssertRallyHere503(await TimedAsync(c => c.GetApiAsync($"/inventory/v1/catalog/entitlement-sku/Steam/{Unique.Name("sku")}")));

            // Push: a new connection is refused before the upgrade, in the same shape.
            AssertRallyHere503(await TimedAsync(c => c.GetApiAsync(PushRoutes.AllSse)));

            // And a resuming one: its replay is read before the response starts, not after (it used to be
            // accepted, then closed as unavailable with no back-off).
            AssertRallyHere503(await TimedAsync(c => c.GetApiAsync($"{PushRoutes.AllSse}?after={resumeAfter}")));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await PushSocket.RefusedAsync(fixture.Gateway.BaseAddress, $"{PushRoutes.AllWebSocket}?after={resumeAfter}", operatorToken));

            // PlayFab: ApiErrorWrapper, ServiceUnavailable 1123.
            var consume = await TimedAsync(c => c.ConsumeXboxAsync(ticket, xboxToken));
            PlayFabHttp.AssertError(consume, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", 1123);
            AssertRetryAfter(consume);
            var login = await TimedAsync(c => c.LoginAsync(unknownXboxToken));
            PlayFabHttp.AssertError(login, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", 1123);
            AssertRetryAfter(login);

            // Operator routes: problem details.
            var webhooks = await TimedAsync(c => c.GetApiAsync("/ops/v1/webhooks"), fixture.Ops);
            Assert.True(webhooks.Status == HttpStatusCode.ServiceUnavailable, $"GET /ops/v1/webhooks answered {webhooks}");
            Assert.Equal("application/problem+json", webhooks.ContentHeaders.ContentType?.MediaType);
            Assert.Equal(503, webhooks.BodyObject["status"]!.GetValue<int>());
            Assert.Equal("service_unavailable", webhooks.BodyObject["title"]!.GetValue<string>());
            AssertRetryAfter(webhooks);
        }
        finally
        {
            await fixture.Postgres.StartAgainAsync();
        }

        var recovery = await fixture.WaitUntilServingAsync(player, RecoveryLimit);
        output.WriteLine($"first grant answered 200 {recovery:g} after PostgreSQL was ready");

        // Everything resumes by itself: the Xbox consume, and the stream connected before the outage.
        var items = await _client.ConsumeXboxOkAsync(ticket, xboxToken);
        Assert.Equal(2, Assert.Single(items)!["UsesIncrementedBy"]!.GetValue<long>());
        // The grants after the restart (the probes) reach the stream that was connected all along.
        var resumed = await connected.ReadUntilAsync(e => e.Event == "entitlementUpdated" && e.Json["payload"]!["data"]![0]!["userId"]!.GetValue<string>() == userId);
        Assert.Equal("grant", resumed[^1].Json["payload"]!["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task Backup_OnPostgreSql_IsAConflictNamingPostgreSqlsOwnTools()
    {
        var response = await fixture.Ops.SendAsync(HttpMethod.Post, "/ops/v1/backups");

        Operations.BackupTests.AssertProblem(HttpStatusCode.Conflict, "No embedded database", response);
        Assert.Equal(
            "This gateway's ledger is not the embedded SQLite database: back up PostgreSQL with its own tools (pg_dump, pg_basebackup).",
            response.BodyObject["detail"]!.GetValue<string>());
    }

    private async Task<ApiResponse> TimedAsync(Func<HttpClient, Task<ApiResponse>> send, HttpClient? client = null)
    {
        var (response, elapsed) = await fixture.TimedAsync(send, client);
        Assert.True(elapsed < PostgresOutageFixture.AnswerBound, $"an answer took {elapsed:g}: {response}");
        return response;
    }

    private static void AssertRallyHere503(ApiResponse response)
    {
        Assert.True(response.Status == HttpStatusCode.ServiceUnavailable, $"expected 503, got {response}");
        JsonAssert.Equal(
            new JsonObject { ["auth_success"] = true, ["error_code"] = "service_unavailable", ["desc"] = "The service is temporarily unavailable; retry later." },
            response.BodyObject);
        AssertRetryAfter(response);
    }

    private static void AssertRetryAfter(ApiResponse response) =>
        Assert.True(response.Headers.RetryAfter?.Delta == TimeSpan.FromSeconds(1), $"Retry-After is '{response.Headers.RetryAfter}' on {response}");

    private async Task GrantUntilStoppedAsync(Player player, Stopwatch clock, ConcurrentQueue<SentGrant> sent, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var transaction = Unique.Name("load");
            var quantity = Random.Shared.Next(1, 4);
            var start = clock.Elapsed;
            var response = await _client.PostEventAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", transaction, quantity))
                .WaitAsync(PostgresOutageFixture.AnswerBound * 2, CancellationToken.None);
            sent.Enqueue(new SentGrant(player, transaction, quantity, start, clock.Elapsed, response));
            if (response.Status != HttpStatusCode.OK)
            {
                // A well-behaved client: wait as told before the next request.
                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
            }
        }
    }

    /// <summary>Keep the load on until every answer for <see cref="QuietAfterRecovery"/> was 200; returns when the first 200 after <paramref name="ready"/> ended and when the last failure did.</summary>
    private static async Task<(TimeSpan FirstOk, TimeSpan? LastFailure)> WaitForQuietAsync(Stopwatch clock, ConcurrentQueue<SentGrant> sent, TimeSpan ready)
    {
        while (true)
        {
            await Task.Delay(200);
            var grants = sent.ToList();
            var lastFailure = grants.Where(g => g.Status != HttpStatusCode.OK).Select(g => (TimeSpan?)g.End).Max();
            var quietSince = lastFailure is { } failure && failure > ready ? failure : ready;
            var firstOk = grants.Where(g => g.Status == HttpStatusCode.OK && g.Start >= ready).Select(g => (TimeSpan?)g.End).Min();
            if (firstOk is { } ok && clock.Elapsed - quietSince >= QuietAfterRecovery)
            {
                return (ok, lastFailure);
            }

            Assert.True(clock.Elapsed - ready < RecoveryLimit + QuietAfterRecovery, $"no quiet {QuietAfterRecovery:g} within {RecoveryLimit:g} after PostgreSQL was ready");
        }
    }

    /// <summary>Every event of the players, by transaction id.</summary>
    private async Task<ILookup<string, JsonObject>> LedgerByTransactionAsync(IEnumerable<Player> players)
    {
        var events = new List<JsonObject>();
        foreach (var player in players)
        {
            events.AddRange(await _client.AllEventsAsync($"&player_uuid={player.Uuid}"));
        }

        return events.ToLookup(e => e["platform_transaction_id"]!.GetValue<string>());
    }

    private sealed record SentGrant(Player Player, string TransactionId, long Quantity, TimeSpan Start, TimeSpan End, ApiResponse Response)
    {
        public HttpStatusCode Status => Response.Status;
    }
}
