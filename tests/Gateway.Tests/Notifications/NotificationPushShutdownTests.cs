using System.Net.WebSockets;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// A gateway that stops closes its push connections: WebSockets with 1001 and the resume cursor, SSE
/// responses with the cursor as the last event id (an event with no data). A connection that was sent
/// nothing gets the cursor of the position it started at: resuming there misses nothing.
/// </summary>
public sealed class NotificationPushShutdownTests
{
    [Fact]
    public async Task GatewayStop_OpenConnections_AreClosedWithEndpointUnavailable()
    {
        var gateway = new GatewayFixture();
        await gateway.InitializeAsync();
        Task? stopping = null;
        try
        {
            var player = await gateway.Client.CreatePlayerAsync();
            var token = gateway.PlayerToken(player.Uuid);
            await using var socket = await PushSocket.ConnectAsync(gateway.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), token);
            await using var events = await PushEventStream.OpenAsync(gateway.BaseAddress(), PushRoutes.PlayerSse(player.Uuid), token);
            await gateway.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
            var cursor = (await socket.NextNotificationAsync()).Json["cursor"]!.GetValue<string>();
            Assert.Equal(cursor, (await events.NextEventAsync()).Id);

            stopping = gateway.DisposeAsync();

            Assert.Empty(await socket.ReadUntilCloseAsync());
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.Socket.CloseStatus);
            Assert.Equal($"server shutting down; resume with after={cursor}", socket.Socket.CloseStatusDescription);
            AssertIdOnly(cursor, await events.NextAsync());
            Assert.Null(await events.NextAsync());
            await stopping;
        }
        finally
        {
            await (stopping ?? gateway.DisposeAsync());
        }
    }

    [Fact]
    public async Task GatewayStop_ConnectionsThatWereSentNothing_AreGivenTheCursorTheyStartedAt()
    {
        var gateway = new GatewayFixture();
        await gateway.InitializeAsync();
        Task? stopping = null;
        try
        {
            var player = await gateway.Client.CreatePlayerAsync();
            await gateway.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
            var token = gateway.PlayerToken(player.Uuid);
            await using var socket = await PushSocket.ConnectAsync(gateway.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), token);
            await using var events = await PushEventStream.OpenAsync(gateway.BaseAddress(), PushRoutes.PlayerSse(player.Uuid), token);
            var head = await gateway.App.Services.GetRequiredService<IGrainFactory>().GetGrain<INotificationFeedGrain>(0).HeadWithCursorAsync();
            Assert.True(head.Position > 0);

            stopping = gateway.DisposeAsync();

            Assert.Empty(await socket.ReadUntilCloseAsync());
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.Socket.CloseStatus);
            const string Prefix = "server shutting down; resume with after=";
            Assert.StartsWith(Prefix, socket.Socket.CloseStatusDescription, StringComparison.Ordinal);
            Assert.Equal(head.Cursor, socket.Socket.CloseStatusDescription![Prefix.Length..]);
            AssertIdOnly(head.Cursor, await events.NextAsync());
            Assert.Null(await events.NextAsync());
            await stopping;
        }
        finally
        {
            await (stopping ?? gateway.DisposeAsync());
        }
    }

    /// <summary>An event with only an id: it sets the client's last event id and dispatches nothing.</summary>
    private static void AssertIdOnly(string cursor, ServerSentEvent? block)
    {
        Assert.NotNull(block);
        Assert.Equal((cursor, (string?)null, (string?)null, 0), (block.Id, block.Event, block.Data, block.Comments.Count));
    }
}
