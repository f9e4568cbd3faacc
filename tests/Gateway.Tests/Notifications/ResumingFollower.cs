using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// A client that follows a WebSocket push route as docs/notifications.md tells clients to: it keeps the cursor of
/// the last notification it handled and drops one whose (event id, name) it has had; when the server
/// ends the connection it connects again after the cursor in the close reason, and when the connection
/// breaks or cannot be opened, after the last cursor it handled. It runs until disposed.
/// </summary>
internal sealed class ResumingFollower : IAsyncDisposable
{
    private const string ResumeMarker = "resume with after=";

    private readonly Uri _baseAddress;
    private readonly string _path;
    private readonly string _token;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<(string EventId, string Name), JsonObject> _handled = new();
    private readonly ConcurrentQueue<string> _endings = new();
    private Task _run = Task.CompletedTask;
    private string? _cursor;

    private ResumingFollower(Uri baseAddress, string path, string token) => (_baseAddress, _path, _token) = (baseAddress, path, token);

    /// <summary>Every notification handled, once each.</summary>
    public IReadOnlyCollection<JsonObject> Handled => [.. _handled.Values];

    /// <summary>Why each connection before the current one ended: a close reason, or the error.</summary>
    public IReadOnlyCollection<string> Endings => [.. _endings];

    /// <summary>Start following from the route's head; returns once the first connection is open.</summary>
    public static async Task<ResumingFollower> StartAsync(Uri baseAddress, string path, string token)
    {
        var follower = new ResumingFollower(baseAddress, path, token);
        var first = await follower.ConnectAsync();
        follower._run = Task.Run(() => follower.RunAsync(first));
        return follower;
    }

    /// <summary>Wait until <paramref name="done"/> holds for what was handled, for at most <paramref name="timeout"/>; false if it never did.</summary>
    public async Task<bool> WaitUntilAsync(Func<IReadOnlyCollection<JsonObject>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!done(Handled))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task RunAsync(ClientWebSocket? socket)
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            if (socket is null)
            {
                await Task.Delay(250, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                socket = await TryConnectAsync();
                continue;
            }

            using (socket)
            {
                try
                {
                    await ReadAsync(socket, stopping);
                }
                catch (Exception exception) when (exception is WebSocketException or IOException || (exception is OperationCanceledException && !stopping.IsCancellationRequested))
                {
                    _endings.Enqueue($"broken: {exception.Message}");
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            socket = null;
        }
    }

    /// <summary>Handle frames until the server closes the connection.</summary>
    private async Task ReadAsync(ClientWebSocket socket, CancellationToken stopping)
    {
        var buffer = new byte[16384];
        using var message = new MemoryStream();
        while (true)
        {
            message.SetLength(0);
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, stopping);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                var reason = socket.CloseStatusDescription ?? string.Empty;
                _endings.Enqueue($"closed {socket.CloseStatus}: {reason}");
                var at = reason.IndexOf(ResumeMarker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    _cursor = reason[(at + ResumeMarker.Length)..];
                }

                return;
            }

            var frame = JsonNode.Parse(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length))!.AsObject();
            if (frame.ContainsKey("heartbeat"))
            {
                continue;
            }

            _handled.TryAdd((frame["event_id"]!.GetValue<string>(), frame["name"]!.GetValue<string>()), frame);
            _cursor = frame["cursor"]!.GetValue<string>();
        }
    }

    private async Task<ClientWebSocket> ConnectAsync() =>
        await TryConnectAsync() ?? throw new InvalidOperationException($"could not open {_path}: {string.Join("; ", _endings)}");

    private async Task<ClientWebSocket?> TryConnectAsync()
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + _token);
        var path = _cursor is null ? _path : $"{_path}?after={Uri.EscapeDataString(_cursor)}";
        var uri = new UriBuilder(new Uri(_baseAddress, path)) { Scheme = "ws" }.Uri;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(uri, timeout.Token);
            return socket;
        }
        catch (Exception exception) when (exception is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            _endings.Enqueue($"connect failed: {exception.Message}");
            socket.Dispose();
            return null;
        }
    }
}
