using System.Net.WebSockets;
using Entitlements.Notifications;

namespace Entitlements.Gateway.Notifications;

/// <summary>
/// Push over an accepted WebSocket. A receive loop runs beside the sends: it answers the client's close
/// and notices a client that went away; anything the client sends is ignored.
/// <see cref="Abort"/> drops the connection under the WebSocket too (the HTTP connection's abort):
/// aborting only the WebSocket leaves a send to a client that stopped reading waiting on the server's
/// output buffer for as long as the client holds the connection open.
/// </summary>
public sealed class WebSocketTransport : IPushTransport, IDisposable
{
    private readonly WebSocket _socket;
    private readonly Action _abortConnection;
    private readonly CancellationTokenSource _clientGone = new();
    private readonly Task _receiving;

    public WebSocketTransport(WebSocket socket, Action abortConnection)
    {
        _socket = socket ?? throw new ArgumentNullException(nameof(socket));
        _abortConnection = abortConnection ?? throw new ArgumentNullException(nameof(abortConnection));
        _receiving = Task.Run(ReceiveAsync);
    }

    public CancellationToken ClientGone => _clientGone.Token;

    public Task SendAsync(EntitlementNotification notification, CancellationToken cancellationToken) =>
        _socket.SendAsync(PushFrames.WebSocketMessage(notification), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    public Task SendHeartbeatAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _socket.SendAsync(PushFrames.WebSocketHeartbeat(now), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    public async Task CloseAsync(PushDisconnectKind kind, string reason, string? resumeCursor, CancellationToken cancellationToken)
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        var (status, description) = kind switch
        {
            PushDisconnectKind.Overflow or PushDisconnectKind.SendTimeout or PushDisconnectKind.TokenRejected => (WebSocketCloseStatus.PolicyViolation, reason),
            PushDisconnectKind.Shutdown => (WebSocketCloseStatus.EndpointUnavailable, reason),
            PushDisconnectKind.StreamInterrupted or PushDisconnectKind.Unavailable => (WebSocketCloseStatus.InternalServerError, reason),
            _ => (WebSocketCloseStatus.NormalClosure, (string?)null),
        };
        await _socket.CloseOutputAsync(status, description, cancellationToken);

        // Wait for the client's close frame, so that the connection ends cleanly.
        await _receiving.WaitAsync(cancellationToken);
    }

    public void Abort()
    {
        _socket.Abort();
        _abortConnection();
    }

    public void Dispose() => _clientGone.Dispose();

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1024];
        try
        {
            while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away; the sender sees it through ClientGone.
        }

        try
        {
            await _clientGone.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
