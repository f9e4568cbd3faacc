using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Entitlements.Tests.Notifications;

/// <summary>A real <see cref="ClientWebSocket"/> on a push route, with reads bounded by a deadline.</summary>
internal sealed class PushSocket : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker _invoker;

    private PushSocket(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        _socket = socket;
        _invoker = invoker;
    }

    public WebSocket Socket => _socket;

    /// <summary>
    /// Connect with <paramref name="token"/> in the <c>Authorization</c> header (or a raw <c>Cookie</c> header).
    /// <paramref name="receiveBufferBytes"/>, when given, sizes the client's TCP receive buffer before it
    /// connects: a client that does not read then stops the server's sends after that much.
    /// </summary>
    public static async Task<PushSocket> ConnectAsync(Uri baseAddress, string path, string? token, string? cookie = null, int? receiveBufferBytes = null, string? origin = null)
    {
        var (socket, invoker, failure) = await TryConnectAsync(baseAddress, path, token, cookie, receiveBufferBytes, origin);
        Assert.True(failure is null, $"connecting to {path} failed: {failure}");
        return new PushSocket(socket, invoker);
    }

    /// <summary>Connect, expecting the server to refuse the upgrade; returns the HTTP status it answered.</summary>
    public static async Task<HttpStatusCode> RefusedAsync(Uri baseAddress, string path, string? token, string? cookie = null, string? origin = null)
    {
        var (socket, invoker, failure) = await TryConnectAsync(baseAddress, path, token, cookie, receiveBufferBytes: null, origin);
        using (invoker)
        using (socket)
        {
            Assert.True(failure is not null, $"connecting to {path} succeeded");
            return socket.HttpStatusCode;
        }
    }

    /// <summary>The next text frame as JSON, heartbeats included.</summary>
    public async Task<(JsonObject Json, string Text)> NextFrameAsync()
    {
        using var deadline = new ReadDeadline("a text frame", Deadline);
        var (type, text) = await deadline.ReadAsync(ReceiveAsync);
        Assert.True(type == WebSocketMessageType.Text, $"expected a text frame, got {type} {_socket.CloseStatus} {_socket.CloseStatusDescription}");
        return (JsonNode.Parse(text)!.AsObject(), text);
    }

    /// <summary>The next notification frame, skipping heartbeats, within <see cref="Deadline"/>.</summary>
    public async Task<(JsonObject Json, string Text)> NextNotificationAsync()
    {
        using var deadline = new ReadDeadline("a notification", Deadline);
        while (true)
        {
            var (type, text) = await deadline.ReadAsync(ReceiveAsync);
            Assert.True(type == WebSocketMessageType.Text, $"expected a notification, got {type} {_socket.CloseStatus} {_socket.CloseStatusDescription}");
            var json = JsonNode.Parse(text)!.AsObject();
            if (!json.ContainsKey("heartbeat"))
            {
                return (json, text);
            }

            deadline.Heartbeat();
        }
    }

    /// <summary>The next notification frame (heartbeats skipped), or the server's close frame (left unanswered), within <see cref="Deadline"/>.</summary>
    public async Task<(WebSocketMessageType Type, string Text)> NextNotificationOrCloseAsync()
    {
        using var deadline = new ReadDeadline("a notification or a close", Deadline);
        while (true)
        {
            var (type, text) = await deadline.ReadAsync(ReceiveAsync);
            if (type == WebSocketMessageType.Close || !JsonNode.Parse(text)!.AsObject().ContainsKey("heartbeat"))
            {
                return (type, text);
            }

            deadline.Heartbeat();
        }
    }

    /// <summary>
    /// The next notification's text; or, when the gateway ends the socket because its notification stream was
    /// interrupted (a cluster whose silos were killed: the gateway subscribes again), the first one on a socket to
    /// <paramref name="baseAddress"/> and <paramref name="path"/> resumed from the cursor the gateway gave.
    /// </summary>
    public async Task<string> NextNotificationOrResumeAsync(Uri baseAddress, string path, string token)
    {
        var (type, text) = await NextNotificationOrCloseAsync();
        if (type != WebSocketMessageType.Close)
        {
            return text;
        }

        const string Prefix = "notification stream interrupted; resume with after=";
        var reason = _socket.CloseStatusDescription ?? string.Empty;
        Assert.True(reason.StartsWith(Prefix, StringComparison.Ordinal), $"closed without a resume cursor: {_socket.CloseStatus} {reason}");
        await using var resumed = await ConnectAsync(baseAddress, $"{path}?after={reason[Prefix.Length..]}", token);
        return (await resumed.NextNotificationAsync()).Text;
    }

    /// <summary>
    /// Notifications until one that <paramref name="last"/> accepts, all within <see cref="Deadline"/>;
    /// everything read on the way is returned too.
    /// </summary>
    public async Task<List<JsonObject>> ReadUntilAsync(Func<JsonObject, bool> last)
    {
        using var deadline = new ReadDeadline("the last notification wanted", Deadline);
        var frames = new List<JsonObject>();
        while (true)
        {
            var (type, text) = await deadline.ReadAsync(ReceiveAsync);
            Assert.True(type == WebSocketMessageType.Text, $"expected a notification, got {type} {_socket.CloseStatus} {_socket.CloseStatusDescription}");
            var json = JsonNode.Parse(text)!.AsObject();
            if (json.ContainsKey("heartbeat"))
            {
                deadline.Heartbeat();
                continue;
            }

            frames.Add(json);
            if (last(json))
            {
                return frames;
            }

            deadline.Arrived(text);
        }
    }

    /// <summary>
    /// Read every frame until the server's close, within <paramref name="within"/> (<see cref="Deadline"/>
    /// when not given); answer it. Returns the notifications read on the way.
    /// </summary>
    public async Task<List<JsonObject>> ReadUntilCloseAsync(TimeSpan? within = null)
    {
        using var deadline = new ReadDeadline("the server's close", within ?? Deadline);
        var frames = new List<JsonObject>();
        while (true)
        {
            var (type, text) = await deadline.ReadAsync(ReceiveAsync);
            if (type == WebSocketMessageType.Close)
            {
                using var timeout = new CancellationTokenSource(Deadline);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                return frames;
            }

            var json = JsonNode.Parse(text)!.AsObject();
            if (json.ContainsKey("heartbeat"))
            {
                deadline.Heartbeat();
            }
            else
            {
                frames.Add(json);
                deadline.Arrived(text);
            }
        }
    }

    /// <summary>
    /// Read every notification until the connection ends without a close frame (the server aborted it);
    /// fails if a close frame comes instead.
    /// </summary>
    public async Task<List<JsonObject>> ReadUntilAbortedAsync()
    {
        using var deadline = new ReadDeadline("the connection to be aborted", Deadline);
        var frames = new List<JsonObject>();
        while (true)
        {
            WebSocketMessageType type;
            string text;
            try
            {
                (type, text) = await deadline.ReadAsync(ReceiveAsync);
            }
            catch (WebSocketException exception) when (exception.WebSocketErrorCode == WebSocketError.ConnectionClosedPrematurely || exception.InnerException is IOException)
            {
                return frames;
            }

            Assert.True(type == WebSocketMessageType.Text, $"expected the connection to be aborted, got a {type} frame: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
            var json = JsonNode.Parse(text)!.AsObject();
            if (json.ContainsKey("heartbeat"))
            {
                deadline.Heartbeat();
            }
            else
            {
                frames.Add(json);
                deadline.Arrived(text);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Dispose();
        _invoker.Dispose();
    }

    private async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[8192];
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer, cancellationToken);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return (result.MessageType, Encoding.UTF8.GetString(message.ToArray()));
    }

    private static async Task<(ClientWebSocket Socket, HttpMessageInvoker Invoker, Exception? Failure)> TryConnectAsync(
        Uri baseAddress, string path, string? token, string? cookie, int? receiveBufferBytes, string? origin)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        if (cookie is not null)
        {
            socket.Options.SetRequestHeader("Cookie", cookie);
        }

        if (origin is not null)
        {
            // What a browser sends on every WebSocket upgrade: the origin of the page that opened it.
            socket.Options.SetRequestHeader("Origin", origin);
        }

        var invoker = new HttpMessageInvoker(PushClientHandler.Create(receiveBufferBytes));
        var uri = new UriBuilder(new Uri(baseAddress, path)) { Scheme = "ws" }.Uri;
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            await socket.ConnectAsync(uri, invoker, timeout.Token);
            return (socket, invoker, null);
        }
        catch (WebSocketException exception)
        {
            return (socket, invoker, exception);
        }
    }
}
