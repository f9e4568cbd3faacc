using System.Net.WebSockets;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Notifications;

/// <summary>A gateway that stops closes its push connections: WebSockets with 1001 and the resume cursor, SSE responses end.</summary>
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
            Assert.Null(await events.NextAsync());
            await stopping;
        }
        finally
        {
            await (stopping ?? gateway.DisposeAsync());
        }
    }
}
