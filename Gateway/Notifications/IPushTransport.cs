using Entitlements.Notifications;

namespace Entitlements.Gateway.Notifications;

/// <summary>How one push connection writes to its client: WebSocket frames or server-sent events.</summary>
public interface IPushTransport
{
    /// <summary>Canceled when the client closed the connection or went away.</summary>
    CancellationToken ClientGone { get; }

    /// <summary>
    /// True when the client went away by not answering the server's keep-alive ping in time (a WebSocket's
    /// ping timeout, which aborts it): the server ended the connection (<see cref="PushDisconnectKind.PingTimeout"/>),
    /// not the client. Asked once the connection has ended as <see cref="PushDisconnectKind.ClientGone"/>.
    /// </summary>
    Task<bool> PingTimedOutAsync();

    Task SendAsync(EntitlementNotification notification, CancellationToken cancellationToken);

    Task SendHeartbeatAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// End the connection telling the client why (when the transport can), best effort, within the token's
    /// time. <paramref name="resumeCursor"/>, when there is one, is where the client resumes from (the
    /// reason carries it too; SSE also sets it as the event id, which a client sends back as <c>Last-Event-ID</c>).
    /// </summary>
    Task CloseAsync(PushDisconnectKind kind, string reason, string? resumeCursor, CancellationToken cancellationToken);

    /// <summary>Drop the connection at once: a send is stuck.</summary>
    void Abort();
}
