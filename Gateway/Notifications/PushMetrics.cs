using System.Diagnostics.Metrics;

namespace Entitlements.Gateway.Notifications;

/// <summary>
/// The push's instruments, on the meter <see cref="MeterName"/>: open connections, and connections the
/// server ended, by reason, counted when the server decides (an overflow before the client has read what was sent) (<c>overflow</c>, <c>send_timeout</c>, <c>stream_interrupted</c>, <c>shutdown</c>, <c>unavailable</c>, <c>token_rejected</c>, <c>ping_timeout</c>).
/// </summary>
public sealed class PushMetrics
{
    public const string MeterName = "Entitlements.Gateway.Notifications";
    public const string DisconnectsName = "entitlements.push.disconnects";
    public const string ConnectionsName = "entitlements.push.connections";

    private readonly Counter<long> _disconnects;
    private readonly UpDownCounter<long> _connections;

    public PushMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _disconnects = meter.CreateCounter<long>(DisconnectsName, "{connection}", "Push connections the server ended, by reason.");
        _connections = meter.CreateUpDownCounter<long>(ConnectionsName, "{connection}", "Open push connections.");
    }

    public void Opened() => _connections.Add(1);

    public void Closed() => _connections.Add(-1);

    public void Disconnected(PushDisconnectKind kind) => _disconnects.Add(1, new KeyValuePair<string, object?>("reason", ReasonTag(kind)));

    public static string ReasonTag(PushDisconnectKind kind) => kind switch
    {
        PushDisconnectKind.Overflow => "overflow",
        PushDisconnectKind.SendTimeout => "send_timeout",
        PushDisconnectKind.StreamInterrupted => "stream_interrupted",
        PushDisconnectKind.Shutdown => "shutdown",
        PushDisconnectKind.Unavailable => "unavailable",
        PushDisconnectKind.TokenRejected => "token_rejected",
        PushDisconnectKind.PingTimeout => "ping_timeout",
        _ => "client_gone",
    };
}
