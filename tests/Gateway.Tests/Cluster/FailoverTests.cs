using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Notifications;
using Xunit.Abstractions;

namespace Entitlements.Tests.Cluster;

/// <summary>
/// A silo killed with <c>kill -9</c> under continuous grant load through a gateway. Every grant is sent
/// until it is acknowledged, with the same transaction id each time (RallyHere idempotency). A client
/// of the other gateway follows every player's notifications, resuming as docs/notifications.md says: it gets
/// every acknowledged grant's notification, also what the stream lost with the silo.
/// </summary>
[Collection(ScriptedClusterGroup.Name)]
public sealed class FailoverTests(ScriptedCluster cluster, ITestOutputHelper output)
{
    private const int Players = 24;
    private const int Workers = 8;
    private const long UnitsPerGrant = 100; // gems_100

    /// <summary>
    /// How long after the kill every player must have been served again: the silo is declared dead within
    /// seconds (measured: 3-4 s), but calls already sent towards it wait for the response timeout before
    /// they fail and are retried; the rest is slack for a loaded 2-core machine.
    /// </summary>
    private static readonly TimeSpan RecoveryBound = ScriptedCluster.ResponseTimeout + TimeSpan.FromSeconds(30);

    [Fact]
    public async Task KillingASiloUnderLoad_LosesNoAcknowledgedGrant_DoublesNone_AndServesEveryPlayerAgain()
    {
        var gateway = cluster.Gateway(1);
        var players = new List<Player>();
        for (var i = 0; i < Players; i++)
        {
            players.Add(await gateway.CreatePlayerAsync());
        }

        // Following from before the load: once it has the first grant, it has a cursor to resume from.
        await using var follower = await ResumingFollower.StartAsync(cluster.GatewayAddress(2), PushRoutes.AllWebSocket, OperatorToken(2));
        var firstTransaction = Unique.Name("tx");
        var first = ExpectedEvent.Id(await gateway.PostEventOkAsync(EventRequests.Grant(players[0].PlatformUserId, "gems_100", firstTransaction)));
        Assert.True(await follower.WaitUntilAsync(h => h.Any(n => ExpectedEvent.Id(n) == first), TimeSpan.FromSeconds(30)), "the follower did not get the first grant");

        var acknowledged = new ConcurrentDictionary<string, Player>([new(firstTransaction, players[0])]);
        var acknowledgedEvents = new ConcurrentDictionary<string, bool>([new(first, true)]);
        var failures = new ConcurrentBag<string>();
        var latencies = new ConcurrentBag<TimeSpan>();
        var lastServed = new ConcurrentDictionary<Guid, long>();
        var clock = Stopwatch.StartNew();
        long killedAt = long.MaxValue;
        using var stop = new CancellationTokenSource();

        async Task WorkAsync(int worker)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var player = players[((n * Workers) + worker) % Players];
                var transaction = Unique.Name("tx");
                var body = EventRequests.Grant(player.PlatformUserId, "gems_100", transaction);
                while (true)
                {
                    var sent = clock.Elapsed;
                    ApiResponse response;
                    try
                    {
                        response = await gateway.PostEventAsync(body);
                    }
                    catch (TaskCanceledException)
                    {
                        failures.Add($"{transaction}: no answer within {ScriptedCluster.RequestTimeout}");
                        latencies.Add(clock.Elapsed - sent);
                        continue;
                    }

                    latencies.Add(clock.Elapsed - sent);
                    if (response.Status == HttpStatusCode.OK)
                    {
                        acknowledged[transaction] = player;
                        acknowledgedEvents[ExpectedEvent.Id(response.BodyObject)] = true;
                        lastServed[player.Uuid] = sent.Ticks;
                        break;
                    }

                    // During fail-over a request may fail, but only as RallyHere's "unavailable, retry".
                    if (response.Status != HttpStatusCode.ServiceUnavailable
                        || response.BodyObject["error_code"]?.GetValue<string>() != "service_unavailable")
                    {
                        failures.Add($"{transaction}: {response}");
                    }

                    await Task.Delay(200);
                }
            }
        }

        var load = Enumerable.Range(0, Workers).Select(w => Task.Run(() => WorkAsync(w))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.True(acknowledged.Count > Workers, $"the load did not get going: {acknowledged.Count} grants in 4 s; {string.Join("; ", failures)}");
        killedAt = clock.Elapsed.Ticks;
        cluster.KillSilo(2);

        // Every player served by a request sent after the kill.
        var recovery = TimeSpan.Zero;
        while (true)
        {
            var after = players.Select(p => lastServed.TryGetValue(p.Uuid, out var t) && t > killedAt ? t : (long?)null).ToList();
            if (after.All(t => t is not null))
            {
                recovery = TimeSpan.FromTicks(after.Max(t => t!.Value) - killedAt);
                break;
            }

            Assert.True(clock.Elapsed.Ticks - killedAt < RecoveryBound.Ticks, $"{after.Count(t => t is null)} players not served {RecoveryBound} after the kill");
            await Task.Delay(100);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await Task.WhenAll(load);
        try
        {
            var maxLatency = latencies.Max();
            output.WriteLine($"fail-over: {acknowledged.Count} grants acknowledged; every player served again {recovery.TotalSeconds:F1} s after the kill; " +
                $"slowest request {maxLatency.TotalSeconds:F1} s; {latencies.Count - (acknowledged.Count - 1)} requests answered 503 and retried");
            Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures) + Environment.NewLine + FailedRequests(cluster.Log("gateway-1")));
            Assert.True(maxLatency < ScriptedCluster.RequestTimeout, $"a request took {maxLatency}");

            // Each acknowledged grant is in the ledger exactly once, and no grant is there that was not acknowledged.
            foreach (var player in players)
            {
                var mine = acknowledged.Where(a => a.Value == player).Select(a => a.Key).Order(StringComparer.Ordinal).ToList();
                var stored = await cluster.QueryAsync<string>(
                    "SELECT COALESCE(string_agg(platform_transaction_id, ',' ORDER BY platform_transaction_id COLLATE \"C\"), '') FROM ledger_events WHERE kind = 0 AND player_uuid = @p AND action_type = 'Grant'",
                    ("p", player.Uuid));
                Assert.Equal(string.Join(',', mine), stored);

                // The entitlements (the grain's fold, read through the other gateway) equal the fold of those events.
                var entitlements = await cluster.Gateway(2).EntitlementsOkAsync(player.Uuid);
                var gems = Assert.Single(entitlements)!.AsObject();
                Assert.Equal(mine.Count * UnitsPerGrant, gems["useCount"]!.GetValue<long>());
            }

            // The follower got every acknowledged grant's notification, and nothing else of these players.
            var ours = players.Select(p => p.Uuid.ToString()).ToHashSet();
            HashSet<string> Notified() => [.. follower.Handled.Where(n => ours.Contains(n["player_uuid"]!.GetValue<string>())).Select(ExpectedEvent.Id)];
            var complete = await follower.WaitUntilAsync(_ => Notified().IsSupersetOf(acknowledgedEvents.Keys), TimeSpan.FromSeconds(60));
            var missing = acknowledgedEvents.Keys.Except(Notified()).ToList();
            Assert.True(complete, $"{missing.Count} of {acknowledgedEvents.Count} acknowledged grants never reached the follower; its connections ended: {string.Join(" | ", follower.Endings)}");
            Assert.True(Notified().SetEquals(acknowledgedEvents.Keys), "the follower got notifications of grants that were not acknowledged");
            output.WriteLine($"notifications: all {acknowledgedEvents.Count} reached the follower; its connections ended {follower.Endings.Count} times: {string.Join(" | ", follower.Endings)}");
        }
        finally
        {
            await cluster.StartSiloAsync(2);
        }
    }

    /// <summary>Gateway <paramref name="index"/>'s operator token: <c>inv:*</c> covers reading every player's notifications.</summary>
    private string OperatorToken(int index) => cluster.Gateway(index).DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>The first errors the gateway's own code logged (a request answered 500 logs its exception there): what a failure needs to be diagnosed from CI's output alone.</summary>
    private static string FailedRequests(string log)
    {
        var lines = log.Split('\n');
        var excerpts = new List<string>();
        for (var i = 0; i < lines.Length && excerpts.Count < 3; i++)
        {
            if (lines[i].StartsWith("fail: Entitlements.", StringComparison.Ordinal))
            {
                excerpts.Add(string.Join('\n', lines.Skip(i).Take(30)));
            }
        }

        return excerpts.Count == 0 ? "(the gateway's code logged no error)" : "the gateway logged:\n" + string.Join("\n...\n", excerpts);
    }
}
