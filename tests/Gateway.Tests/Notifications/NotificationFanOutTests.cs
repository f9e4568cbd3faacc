using System.Globalization;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Webhooks;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// 1,000 grants and refunds across 100 players, written concurrently through a real gateway process,
/// reach every kind of consumer exactly once after dedupe and in ledger order per player: an Orleans
/// stream subscriber (the sample game service, its own process), an all-players WebSocket, and a webhook
/// receiver on loopback.
/// </summary>
public sealed class NotificationFanOutTests : IDisposable
{
    private const int Players = 100;
    private const int GrantsPerPlayer = 6;
    private const int RefundsPerPlayer = 4;
    private const int NotificationsPerPlayer = GrantsPerPlayer + (2 * RefundsPerPlayer);
    private const string WebhookPath = "/hooks/fan-out";

    private readonly TempDirectory _data = new();
    private readonly List<IDisposable> _processes = [];

    [Fact]
    public async Task ThousandGrantsAndRefunds_AcrossHundredPlayers_ReachEveryConsumerOnceInLedgerOrder()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var gateway = Track(await GatewayProcess.StartAsync(_data.Path, settings: new Dictionary<string, string>
        {
            ["Notifications:Webhooks:0:Name"] = "fan-out",
            ["Notifications:Webhooks:0:Url"] = receiver.Url(WebhookPath.TrimStart('/')).ToString(),
            ["Notifications:Webhooks:0:Secret"] = "fan-out-webhook-secret-0123456789abcdef",
            ["Notifications:Webhooks:0:InitialBackoff"] = "00:00:00.050",

            // The socket's reader shares the test host with sixteen writers and the webhook receiver: on a
            // loaded machine it may fall behind for a while, which is not what this test is about.
            ["Notifications:Push:BufferSize"] = (Players * NotificationsPerPlayer).ToString(CultureInfo.InvariantCulture),
            ["Notifications:Push:SendTimeoutSeconds"] = "60",
        }));
        var service = Track(await GameServiceProcess.StartAsync(gateway));
        await using var socket = await PushSocket.ConnectAsync(gateway.BaseAddress, PushRoutes.AllWebSocket, gateway.Client.DefaultRequestHeaders.Authorization!.Parameter);
        var players = new List<Player>();
        for (var i = 0; i < Players; i++)
        {
            players.Add(await gateway.Client.CreatePlayerAsync());
        }

        var reading = ReadSocketAsync(socket, Players * NotificationsPerPlayer);
        var expected = new Dictionary<Guid, List<(string EventId, string Name)>>();
        await Parallel.ForEachAsync(players, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (player, _) =>
        {
            var mine = new List<(string, string)>();
            var transactions = Enumerable.Range(1, GrantsPerPlayer).Select(_ => Unique.Name("tx")).ToList();
            foreach (var transaction in transactions)
            {
                var grant = await gateway.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", transaction));
                mine.Add(((string)grant["event_id"]!, "entitlementUpdated"));
            }

            foreach (var transaction in transactions.Take(RefundsPerPlayer))
            {
                var refund = await gateway.Client.PostEventOkAsync(EventRequests.Create("refund", player.PlatformUserId, "gems_100", transaction));
                mine.Add(((string)refund["event_id"]!, "entitlementUpdated"));
                mine.Add(((string)refund["event_id"]!, "revocationCompleted"));
            }

            lock (expected)
            {
                expected[player.Uuid] = mine;
            }
        });

        var frames = await reading;
        foreach (var player in players)
        {
            var streamed = (await service.WaitForNotificationsAsync(player.Uuid, NotificationsPerPlayer))
                .Select(l => ((string)l["event_id"]!, (string)l["name"]!));
            var pushed = frames
                .Where(f => (string?)f["player_uuid"] == player.Uuid.ToString("D"))
                .Select(f => ((string)f["event_id"]!, (string)f["name"]!));
            var posted = (await receiver.WaitForDeliveredAsync(WebhookPath, player.Uuid, NotificationsPerPlayer, TimeSpan.FromSeconds(60)))
                .Select(r => (r.Header("X-Entitlements-Event-Id"), r.Header("X-Entitlements-Notification")));

            Assert.Equal(expected[player.Uuid], Deduplicated(streamed));
            Assert.Equal(expected[player.Uuid], Deduplicated(pushed));
            Assert.Equal(expected[player.Uuid], Deduplicated(posted));
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        _data.Dispose();
    }

    /// <summary>What a consumer keeps: the first copy of each (event id, message name), in arrival order.</summary>
    private static List<(string EventId, string Name)> Deduplicated(IEnumerable<(string EventId, string Name)> received)
    {
        var seen = new HashSet<(string, string)>();
        return [.. received.Where(seen.Add)];
    }

    /// <summary>Notification frames of the all-players socket until <paramref name="count"/> distinct ones arrived.</summary>
    private static async Task<List<JsonObject>> ReadSocketAsync(PushSocket socket, int count)
    {
        var frames = new List<JsonObject>();
        var distinct = new HashSet<(string?, string?)>();
        while (distinct.Count < count)
        {
            var (frame, _) = await socket.NextNotificationAsync();
            frames.Add(frame);
            distinct.Add(((string?)frame["event_id"], (string?)frame["name"]));
        }

        return frames;
    }

    private T Track<T>(T process) where T : IDisposable
    {
        _processes.Add(process);
        return process;
    }
}
