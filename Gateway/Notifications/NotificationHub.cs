using System.Collections.Concurrent;
using Entitlements.Notifications;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Notifications;

/// <summary>
/// The gateway's one fan-out point. A hosted service (<see cref="NotificationHubSubscription"/>) feeds it
/// every player's notifications from one stream subscription; each client connection registers a
/// bounded channel with a filter. <see cref="Publish"/> never waits: it tries to write to each matching
/// channel, and a full channel ends that connection as a slow consumer, so a slow client can never slow
/// the stream, the relay or the grains.
/// <para>
/// Registering and unregistering take a lock and copy only what they change: the small array of one
/// player's connections, or the array of connections that watch everybody (operators' and services'
/// feeds, few). <see cref="Publish"/> reads both without a lock. Copying the whole per-player map on
/// every change, as this class once did, made a gateway's connections cost quadratic time to open:
/// 21 s and 63 GB of garbage for 40,000 players.
/// </para>
/// </summary>
public sealed partial class NotificationHub(IOptions<PushOptions> options, PushMetrics metrics, ILogger<NotificationHub> logger)
{
    private readonly Lock _lock = new();
    private long _registered;
    private PushConnection[] _everybody = [];
    private readonly ConcurrentDictionary<Guid, PushConnection[]> _byPlayer = new();

    /// <summary>
    /// Register a connection before reading anything for it: from now on it gets every live notification that
    /// matches. Null, with nothing registered, when <paramref name="player"/> already has
    /// <see cref="PushOptions.MaxConnectionsPerPlayer"/> connections: counted and added under one lock, so that
    /// connections opened together cannot pass the limit, and one player's connections cost at most that many
    /// copies each.
    /// </summary>
    public PushConnection? TryRegister(Guid? player)
    {
        PushConnection connection;
        lock (_lock)
        {
            PushConnection[]? existing = null;
            if (player is { } full && _byPlayer.TryGetValue(full, out existing) && existing.Length >= options.Value.MaxConnectionsPerPlayer)
            {
                return null;
            }

            // Numbered under the lock that adds it: a count read under the lock names only connections already added.
            connection = new PushConnection(this, player, options.Value.Capacity, ++_registered);
            if (player is { } uuid)
            {
                _byPlayer[uuid] = existing is null ? [connection] : [.. existing, connection];
            }
            else
            {
                Volatile.Write(ref _everybody, [.. _everybody, connection]);
            }
        }

        metrics.Opened();
        return connection;
    }

    /// <summary>Hand a notification to every matching connection, without waiting for any of them.</summary>
    public void Publish(EntitlementNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        foreach (var connection in Volatile.Read(ref _everybody))
        {
            Deliver(connection, notification);
        }

        if (_byPlayer.TryGetValue(notification.PlayerUuid, out var connections))
        {
            foreach (var connection in connections)
            {
                Deliver(connection, notification);
            }
        }
    }

    /// <summary>The connections of <paramref name="player"/>'s routes open now.</summary>
    public int ConnectionsOf(Guid player) => _byPlayer.TryGetValue(player, out var connections) ? connections.Length : 0;

    /// <summary>How many connections have registered so far; with <see cref="InterruptRegisteredUpTo"/>, ends those and spares any later one.</summary>
    public long RegisteredSoFar
    {
        get
        {
            lock (_lock)
            {
                return _registered;
            }
        }
    }

    /// <summary>End every connection's live feed: the stream subscription failed, so what follows could have a gap.</summary>
    public void InterruptAll() => InterruptRegisteredUpTo(long.MaxValue);

    /// <summary>
    /// End the live feed of the connections among the first <paramref name="registered"/> (a <see cref="RegisteredSoFar"/>)
    /// that are still open; one registered after that count was read is left alone.
    /// </summary>
    public void InterruptRegisteredUpTo(long registered)
    {
        var all = Volatile.Read(ref _everybody).Concat(_byPlayer.Values.SelectMany(c => c));
        foreach (var connection in all.Where(c => c.Registration <= registered))
        {
            if (connection.Interrupt(PushDisconnectKind.StreamInterrupted))
            {
                metrics.Disconnected(PushDisconnectKind.StreamInterrupted);
            }
        }
    }

    internal void Unregister(PushConnection connection)
    {
        lock (_lock)
        {
            if (connection.Player is { } uuid)
            {
                if (!_byPlayer.TryGetValue(uuid, out var existing) || !existing.Contains(connection))
                {
                    return;
                }

                var left = existing.Where(c => c != connection).ToArray();
                if (left.Length == 0)
                {
                    _byPlayer.TryRemove(uuid, out _);
                }
                else
                {
                    _byPlayer[uuid] = left;
                }
            }
            else
            {
                if (!_everybody.Contains(connection))
                {
                    return;
                }

                Volatile.Write(ref _everybody, _everybody.Where(c => c != connection).ToArray());
            }
        }

        metrics.Closed();
    }

    private void Deliver(PushConnection connection, EntitlementNotification notification)
    {
        if (!connection.TryWrite(notification) && connection.Interrupt(PushDisconnectKind.Overflow))
        {
            // Counted when it happens: the connection's writer may be stuck in a send until the client reads again.
            metrics.Disconnected(PushDisconnectKind.Overflow);
            LogOverflow(logger, connection.Player, connection.Capacity);
        }
    }
}
