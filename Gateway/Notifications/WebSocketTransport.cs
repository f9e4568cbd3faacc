using System.Net.WebSockets;
using Entitlements.Notifications;

namespace Entitlements.Gateway.Notifications;

/// <summary>
/// Push over an accepted WebSocket. A receive loop runs beside the sends: it answers the client's close
/// and notices a client that went away; anything the client sends is ignored. It also lets the socket process
/// the pongs answering the server's keep-alive pings: a client that does not answer one in time gets the socket
/// aborted under this loop (<see cref="PingTimedOutAsync"/>).
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
    private volatile bool _aborted;
    private volatile bool _pingTimedOut;

    public WebSocketTransport(WebSocket socket, Action abortConnection)
    {
        _socket = socket ?? throw new ArgumentNullException(nameof(socket));
        _abortConnection = abortConnection ?? throw new ArgumentNullException(nameof(abortConnection));
        _receiving = Task.Run(ReceiveAsync);
    }

    public CancellationToken ClientGone => _clientGone.Token;

    public async Task<bool> PingTimedOutAsync()
    {
        if (_socket.State != WebSocketState.Aborted || _aborted)
        {
            return false;
        }

        // The receive loop decides: it ends at once on an aborted socket, and sets the flag before it ends.
        await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return _pingTimedOut;
    }

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
        _aborted = true;
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
            _pingTimedOut = !_aborted && await IsPingTimeoutAsync(exception);
        }

        try
        {
            await _clientGone.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// True when the socket aborted itself because the keep-alive ping went unanswered. The keep-alive fault is
    /// an inner <see cref="WebSocketError.Faulted"/> exception: of the failed read itself, or (when the abort
    /// surfaced through the connection, as ASP.NET Core's <c>ConnectionAbortedException</c>) of the next read,
    /// which an aborted socket refuses with that fault inside. A client that went away, or our own abort, carries none.
    /// </summary>
    private async Task<bool> IsPingTimeoutAsync(Exception failed)
    {
        if (_socket.State != WebSocketState.Aborted)
        {
            return false;
        }

        if (IsKeepAliveFault(failed) || IsKeepAliveFault(failed.InnerException))
        {
            return true;
        }

        try
        {
            await _socket.ReceiveAsync(new byte[1], CancellationToken.None);
            return false;
        }
        catch (Exception refused) when (refused is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            return IsKeepAliveFault(refused.InnerException);
        }
    }

    private static bool IsKeepAliveFault(Exception? exception) =>
        exception is WebSocketException { WebSocketErrorCode: WebSocketError.Faulted }
        || (exception is AggregateException both && both.InnerExceptions.Any(IsKeepAliveFault));
}
