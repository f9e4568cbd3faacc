using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Entitlements.Gateway.Notifications;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// The WebSocket keep-alive: every <c>HeartbeatSeconds</c> (one here) the server sends a Ping frame, and a
/// client that does not answer it with a Pong within <c>PingTimeoutSeconds</c> (two here) is disconnected,
/// counted as <c>ping_timeout</c> and logged as a server-side end, not as an error. A client that answers
/// (<see cref="System.Net.WebSockets.ClientWebSocket"/> does, while it reads) stays connected.
/// </summary>
public sealed class NotificationPushKeepAliveTests(NotificationPushKeepAliveTests.Fixture fixture) : IClassFixture<NotificationPushKeepAliveTests.Fixture>
{
    private const int PingOpcode = 0x9;
    private const int PongOpcode = 0xA;
    private const int CloseOpcode = 0x8;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    /// <summary>What a loaded two-core machine may add to the server's timers.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task PlayerWebSocket_ClientNeverAnswersPings_IsSentPingsAndDisconnectedWithinIntervalPlusTimeout()
    {
        var player = await fixture.Client.CreatePlayerAsync();
        using var pingTimeouts = new DisconnectCounter(fixture, "ping_timeout");
        var errorsBefore = fixture.Log.Entries.Count(entry => entry.Level >= LogLevel.Error);

        var (frames, lasted) = await ReadUntilDisconnectedAsync(PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));

        var pings = frames.Where(frame => frame.Opcode == PingOpcode).ToList();
        Assert.True(pings.Count >= 1, "no Ping frame came; frames: " + string.Join(", ", frames.Select(f => $"{f.Opcode:x}@{f.At.TotalSeconds:0.0}s")));
        Assert.DoesNotContain(frames, frame => frame.Opcode is PongOpcode or CloseOpcode);
        Assert.InRange(lasted, PingTimeout, Interval + PingTimeout + Margin);
        Assert.InRange(lasted - pings[0].At, PingTimeout - TimeSpan.FromMilliseconds(500), PingTimeout + Margin);

        // Counted and logged as the server's end, once the session has finished ending it (the socket goes first).
        var deadline = Stopwatch.StartNew();
        while ((pingTimeouts.Count == 0 || Logged().Count == 0) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        Assert.Equal(1, pingTimeouts.Count);
        var ended = Assert.Single(Logged());
        Assert.Equal(LogLevel.Information, ended.Level);
        Assert.StartsWith(
            $"Push connection for player {player.Uuid} (none: all players) ended by the server (PingTimeout): no answer to the keep-alive ping; resume with after=",
            ended.Message,
            StringComparison.Ordinal);
        Assert.Equal(errorsBefore, fixture.Log.Entries.Count(entry => entry.Level >= LogLevel.Error));

        List<LoggedEntry> Logged() => fixture.Log.Entries
            .Where(entry => entry.Category == typeof(PushSession).FullName && entry.Values.GetValueOrDefault("Player")?.ToString() == player.Uuid.ToString())
            .ToList();
    }

    [Fact]
    public async Task PlayerWebSocket_ClientAnswersPings_StaysConnectedPastThePingTimeout()
    {
        var player = await fixture.Client.CreatePlayerAsync();
        using var pingTimeouts = new DisconnectCounter(fixture, "ping_timeout");
        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));

        // Reading lets the client answer the pings; several pings and timeouts pass.
        var reading = Stopwatch.StartNew();
        var heartbeats = 0;
        while (reading.Elapsed < 2 * (Interval + PingTimeout))
        {
            var (json, text) = await socket.NextFrameAsync();
            Assert.True(json.ContainsKey("heartbeat"), $"expected a heartbeat, got {text}");
            heartbeats++;
        }

        var grant = Unique.Name("tx");
        await fixture.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", grant));
        var (notification, _) = await socket.NextNotificationAsync();

        Assert.True(heartbeats >= 3, $"only {heartbeats} heartbeat(s) in {reading.Elapsed}");
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, socket.Socket.State);
        Assert.Equal("entitlementUpdated", notification["message"]!["type"]!.GetValue<string>());
        Assert.Equal(0, pingTimeouts.Count);
    }

    /// <summary>
    /// A WebSocket client written by hand on a TCP socket that reads every frame and answers none, not even a
    /// Ping: the upgrade, then frames until the server ends the connection. Returns each frame's opcode and when
    /// it came, and how long the connection lasted, from the upgrade's answer.
    /// </summary>
    private async Task<(List<(int Opcode, TimeSpan At)> Frames, TimeSpan Lasted)> ReadUntilDisconnectedAsync(string path, string token)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var baseAddress = fixture.BaseAddress();
        var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        var head =
            $"GET {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n";
        using var tcp = await RawHttp.SendAsync(baseAddress, head, [], deadline.Token);
        var reader = new FrameReader(tcp.GetStream());

        var status = await reader.ReadLineAsync(deadline.Token);
        Assert.StartsWith("HTTP/1.1 101", status, StringComparison.Ordinal);
        while ((await reader.ReadLineAsync(deadline.Token)).Length > 0)
        {
        }

        var clock = Stopwatch.StartNew();
        var frames = new List<(int, TimeSpan)>();
        try
        {
            while (await reader.ReadFrameAsync(deadline.Token) is { } opcode)
            {
                frames.Add((opcode, clock.Elapsed));
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // Still connected at the deadline: the assertions on the frames and the time say what was wrong.
        }

        return (frames, clock.Elapsed);
    }

    /// <summary>Reads the upgrade's answer line by line, then server frames (unmasked) one by one.</summary>
    private sealed class FrameReader(NetworkStream stream)
    {
        private readonly byte[] _one = new byte[1];

        public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            while (true)
            {
                var b = await ReadByteAsync(cancellationToken) ?? throw new IOException("the connection closed in the upgrade's answer");
                if (b == '\n')
                {
                    return line.ToString().TrimEnd('\r');
                }

                line.Append((char)b);
            }
        }

        /// <summary>The next frame's opcode, its payload skipped; null when the server ended the connection.</summary>
        public async Task<int?> ReadFrameAsync(CancellationToken cancellationToken)
        {
            var header = await ReadExactlyAsync(2, cancellationToken);
            if (header is null)
            {
                return null;
            }

            Assert.Equal(0, header[1] & 0x80);
            long length = header[1] & 0x7F;
            if (length == 126)
            {
                length = await ReadExactlyAsync(2, cancellationToken) is { } extended ? BinaryPrimitives.ReadUInt16BigEndian(extended) : -1;
            }
            else if (length == 127)
            {
                length = await ReadExactlyAsync(8, cancellationToken) is { } extended ? BinaryPrimitives.ReadInt64BigEndian(extended) : -1;
            }

            if (length < 0 || (length > 0 && await ReadExactlyAsync((int)length, cancellationToken) is null))
            {
                return null;
            }

            return header[0] & 0x0F;
        }

        private async Task<byte[]?> ReadExactlyAsync(int count, CancellationToken cancellationToken)
        {
            var bytes = new byte[count];
            for (var i = 0; i < count; i++)
            {
                if (await ReadByteAsync(cancellationToken) is not { } b)
                {
                    return null;
                }

                bytes[i] = b;
            }

            return bytes;
        }

        /// <summary>One byte; null at the end of the connection (closed or reset).</summary>
        private async Task<byte?> ReadByteAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await stream.ReadAsync(_one, cancellationToken) == 0 ? null : _one[0];
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    /// <summary>A gateway with a one-second keep-alive, a two-second ping timeout, and a send timeout too long to end a connection first.</summary>
    public sealed class Fixture : GatewayFixture
    {
        public LogCapture Log { get; } = new();

        protected override void Configure(IDictionary<string, string?> settings)
        {
            ArgumentNullException.ThrowIfNull(settings);
            settings["Notifications:Push:HeartbeatSeconds"] = "1";
            settings["Notifications:Push:PingTimeoutSeconds"] = "2";
            settings["Notifications:Push:SendTimeoutSeconds"] = "120";
        }

        protected override void ConfigureServices(IServiceCollection services) => Log.AddTo(services, typeof(PushSession).FullName!);
    }
}
