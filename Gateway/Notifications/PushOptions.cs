namespace Entitlements.Gateway.Notifications;

/// <summary>Configuration section <c>Notifications:Push</c>: the WebSocket and SSE push to clients.</summary>
public sealed class PushOptions
{
    public const string SectionName = "Notifications:Push";

    /// <summary>
    /// The longest heartbeat, ping timeout or send timeout taken, in seconds (a day): far above any useful value, and far
    /// below what .NET's timers and delays refuse (about 49.7 days), which would fail each connection instead of the start.
    /// </summary>
    public const int MaxSeconds = 86_400;

    /// <summary>Live notifications a connection may have waiting; one more disconnects it as a slow consumer.</summary>
    public int BufferSize { get; set; } = 1000;

    /// <summary>Seconds between heartbeats (an SSE comment, a WebSocket heartbeat frame, and WebSocket pings).</summary>
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>Seconds one send to a client may take before the client is dropped as a slow consumer.</summary>
    public int SendTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Seconds a WebSocket client has to answer the server's keep-alive ping with a pong; a client that does not
    /// is disconnected (<see cref="PushDisconnectKind.PingTimeout"/>). SSE has no pings: a dead SSE client is noticed by the send timeout.
    /// </summary>
    public int PingTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// Connections one player's routes may have open on one gateway at a time, WebSocket and SSE together;
    /// one more is refused with 429 before it is upgraded or its stream starts. The all-players routes are not counted.
    /// </summary>
    public int MaxConnectionsPerPlayer { get; set; } = 16;

    public TimeSpan Heartbeat => TimeSpan.FromSeconds(Math.Max(1, HeartbeatSeconds));

    public TimeSpan PingTimeout => TimeSpan.FromSeconds(Math.Max(1, PingTimeoutSeconds));

    public TimeSpan SendTimeout => TimeSpan.FromSeconds(Math.Max(1, SendTimeoutSeconds));

    public int Capacity => Math.Max(1, BufferSize);
}
