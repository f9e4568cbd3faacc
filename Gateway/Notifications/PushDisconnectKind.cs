namespace Entitlements.Gateway.Notifications;

/// <summary>Why the server ends a push connection.</summary>
public enum PushDisconnectKind
{
    /// <summary>The client closed the connection or went away.</summary>
    ClientGone,

    /// <summary>More live notifications were waiting than the buffer holds.</summary>
    Overflow,

    /// <summary>One send did not complete within the send timeout.</summary>
    SendTimeout,

    /// <summary>The gateway's stream subscription failed: what follows could have a gap.</summary>
    StreamInterrupted,

    /// <summary>The gateway is stopping.</summary>
    Shutdown,

    /// <summary>The notification feed could not be read (the cluster or its database failed).</summary>
    Unavailable,

    /// <summary>The token that opened the connection is no longer accepted: it expired, or the key set no longer verifies it.</summary>
    TokenRejected,

    /// <summary>A WebSocket client did not answer the server's keep-alive ping within the ping timeout: it is gone, or its network is.</summary>
    PingTimeout,
}
