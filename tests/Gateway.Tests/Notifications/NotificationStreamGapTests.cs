using System.Net.WebSockets;
using Entitlements.Notifications;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// The stream can lose notifications while the gateway's subscription stays (a silo that held them in
/// its queue died). Each notification on the all-players stream says what the relay published before
/// it; when that is past what the gateway has had, the open connections are ended with their resume
/// cursor, and resuming reads the rest from the ledger. Here the test publishes on the gateway's own
/// stream, through its cluster client, what the relay would publish after such a loss.
/// </summary>
public sealed class NotificationStreamGapTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;

    private IClusterClient Cluster => fixture.App.Services.GetRequiredService<IClusterClient>();

    private IAsyncStream<EntitlementNotification> AllPlayers =>
        Cluster.GetStreamProvider(NotificationStreams.ProviderName).GetStream<EntitlementNotification>(NotificationStreams.AllPlayers);

    [Fact]
    public async Task NotificationAfterAGap_EndsOpenConnections_WhichResumeAndGetWhatWasLost()
    {
        var player = await _client.CreatePlayerAsync();
        await using var open = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
        var first = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        var (seen, _) = await open.NextNotificationAsync();
        Assert.Equal(first, seen["event_id"]!.GetValue<string>());

        // Two more grants reach the ledger. The stream "loses" the first of them: the test publishes only
        // the second, saying that the relay had published the first before it.
        var lost = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        var arriving = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        var ledger = await LedgerNotificationsAsync(player.Uuid);
        Assert.Equal([first, lost, arriving], ledger.Select(n => n.EventId));
        var arrivingOne = ledger[^1];

        // The relay itself published both meanwhile (the connection may have been sent them); what counts
        // is a notification that follows a position past everything the gateway has had.
        var gap = arrivingOne with { Position = arrivingOne.Position + 4, PublishedAfter = arrivingOne.Position + 2, PlayerUuid = Guid.NewGuid() };
        await AllPlayers.OnNextAsync(gap);

        var rest = await open.ReadUntilCloseAsync();
        Assert.Equal(WebSocketCloseStatus.InternalServerError, open.Socket.CloseStatus);
        var resume = ResumeCursor(open.Socket.CloseStatusDescription);
        var sentBeforeTheEnd = rest.Select(n => n["event_id"]!.GetValue<string>()).ToList();
        Assert.Equal(new[] { lost, arriving }[..sentBeforeTheEnd.Count], sentBeforeTheEnd);
        var lastSent = rest.Count > 0 ? rest[^1]["cursor"]!.GetValue<string>() : seen["cursor"]!.GetValue<string>();
        Assert.Equal(lastSent, resume);

        await using var resumed = await PushSocket.ConnectAsync(fixture.BaseAddress(), $"{PushRoutes.PlayerWebSocket(player.Uuid)}?after={resume}", fixture.PlayerToken(player.Uuid));
        var next = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        var replayed = await resumed.ReadUntilAsync(n => n["event_id"]!.GetValue<string>() == next);
        Assert.Equal([.. new[] { lost, arriving }.Skip(sentBeforeTheEnd.Count), next], replayed.Select(n => n["event_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task NotificationPublishedAgain_IsNoGap_ConnectionsStayOpen()
    {
        var player = await _client.CreatePlayerAsync();
        await using var open = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
        var first = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        Assert.Equal(first, (await open.NextNotificationAsync()).Json["event_id"]!.GetValue<string>());

        // A relay that starts again from an older stored position publishes what the gateway has already
        // had: following a position the gateway has seen, it is no gap, and the connection drops the repeat.
        var again = Assert.Single(await LedgerNotificationsAsync(player.Uuid));
        await AllPlayers.OnNextAsync(again with { PublishedAfter = again.Position - 2 });

        var second = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        var (type, text) = await open.NextNotificationOrCloseAsync();
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Contains(second, text, StringComparison.Ordinal);
        Assert.Equal(WebSocketState.Open, open.Socket.State);
    }

    /// <summary>The player's notifications as the ledger holds them.</summary>
    private async Task<IReadOnlyList<EntitlementNotification>> LedgerNotificationsAsync(Guid player) =>
        (await Cluster.GetGrain<INotificationFeedGrain>(0).ReadAsync(new NotificationQuery(player, 0, 100))).Notifications;

    private static string ResumeCursor(string? reason)
    {
        const string Prefix = "notification stream interrupted; resume with after=";
        Assert.True(reason?.StartsWith(Prefix, StringComparison.Ordinal) == true, $"no resume cursor in '{reason}'");
        return reason[Prefix.Length..];
    }
}
