using System.Threading.Channels;
using Entitlements.Notifications;

namespace Entitlements.Gateway.Notifications;

/// <summary>
/// One client connection registered with the <see cref="NotificationHub"/>: a bounded channel of the
/// live notifications that match its filter (one player, or everybody). The hub only ever tries to
/// write; a full channel interrupts the connection instead of waiting for the client.
/// </summary>
public sealed class PushConnection : IDisposable
{
    private readonly NotificationHub _hub;
    private readonly Channel<EntitlementNotification> _channel;
    private int _interruption = -1;

    internal PushConnection(NotificationHub hub, Guid? player, int capacity, long registration)
    {
        _hub = hub;
        Player = player;
        Capacity = capacity;
        Registration = registration;
        _channel = Channel.CreateBounded<EntitlementNotification>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    /// <summary>The player whose notifications this connection receives; null for every player.</summary>
    public Guid? Player { get; }

    public int Capacity { get; }

    /// <summary>The hub's count of registrations when this one was added (the first is 1).</summary>
    public long Registration { get; }

    /// <summary>The live notifications, in the order the stream delivered them.</summary>
    public ChannelReader<EntitlementNotification> Live => _channel.Reader;

    /// <summary>Why the hub gave up on this connection, once it has.</summary>
    public PushDisconnectKind? Interruption => Volatile.Read(ref _interruption) is var kind and >= 0 ? (PushDisconnectKind)kind : null;

    public bool Matches(EntitlementNotification notification) => Player is not { } player || player == notification.PlayerUuid;

    /// <summary>Queue a live notification without waiting; false when the channel is full or closed.</summary>
    internal bool TryWrite(EntitlementNotification notification) => _channel.Writer.TryWrite(notification);

    /// <summary>Stop the connection's live feed; the first reason wins. True when this call set it.</summary>
    internal bool Interrupt(PushDisconnectKind kind)
    {
        if (Interlocked.CompareExchange(ref _interruption, (int)kind, -1) != -1)
        {
            return false;
        }

        _channel.Writer.TryComplete();
        return true;
    }

    public void Dispose()
    {
        _hub.Unregister(this);
        _channel.Writer.TryComplete();
    }
}
