using System.Diagnostics.Metrics;
using System.Globalization;
using Entitlements.Gateway.Notifications;
using Entitlements.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// The hub's routing, in process: a notification goes to its player's connections and to the
/// connections that watch everybody, never to another player's; a closed connection gets nothing more;
/// and with ten thousand players connected, each connection gets exactly its own player's.
/// </summary>
public sealed class NotificationHubTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public void Publish_ReachesThePlayersConnectionsAndEverybodys_NoOtherPlayers()
    {
        var hub = NewHub();
        var (alice, bob) = (Guid.NewGuid(), Guid.NewGuid());
        using var aliceFirst = hub.TryRegister(alice)!;
        using var aliceSecond = hub.TryRegister(alice)!;
        using var bobs = hub.TryRegister(bob)!;
        using var everybody = hub.TryRegister(null)!;

        hub.Publish(Notification(alice, 2));
        hub.Publish(Notification(bob, 4));

        Assert.Equal([2L], Drain(aliceFirst));
        Assert.Equal([2L], Drain(aliceSecond));
        Assert.Equal([4L], Drain(bobs));
        Assert.Equal([2L, 4L], Drain(everybody));
    }

    [Fact]
    public void ClosedConnection_GetsNothingMore_TheOthersOfItsPlayerStillDo()
    {
        var hub = NewHub();
        var player = Guid.NewGuid();
        var closed = hub.TryRegister(player)!;
        using var open = hub.TryRegister(player)!;
        closed.Dispose();

        hub.Publish(Notification(player, 6));

        Assert.True(closed.Live.Completion.IsCompleted);
        Assert.Empty(Drain(closed));
        Assert.Equal([6L], Drain(open));

        open.Dispose();
        hub.Publish(Notification(player, 8));
        using var again = hub.TryRegister(player)!;
        hub.Publish(Notification(player, 10));

        Assert.Empty(Drain(open));
        Assert.Equal([10L], Drain(again));
    }

    [Fact]
    public void TenThousandPlayers_EachConnectionGetsExactlyItsOwn_AlsoAfterHalfClose()
    {
        const int Players = 10_000;
        var hub = NewHub(bufferSize: 2 * Players);
        var players = Enumerable.Range(0, Players).Select(_ => Guid.NewGuid()).ToArray();
        var connections = players.Select(p => hub.TryRegister(p)!).ToArray();
        using var everybody = hub.TryRegister(null)!;

        for (var i = Players - 1; i >= 0; i--)
        {
            hub.Publish(Notification(players[i], 2L * i));
        }

        for (var i = 0; i < Players; i++)
        {
            Assert.Equal([2L * i], Drain(connections[i]));
        }

        for (var i = 0; i < Players; i += 2)
        {
            connections[i].Dispose();
        }

        for (var i = 0; i < Players; i++)
        {
            hub.Publish(Notification(players[i], (2L * Players) + (2L * i)));
        }

        for (var i = 0; i < Players; i++)
        {
            Assert.Equal(i % 2 == 0 ? [] : [(2L * Players) + (2L * i)], Drain(connections[i]));
        }

        Assert.Equal(2 * Players, Drain(everybody).Count);
        foreach (var connection in connections)
        {
            connection.Dispose();
        }
    }

    [Fact]
    public void TryRegister_ManyAtOnceForOnePlayer_RegistersExactlyTheLimitAndLeavesOthersAlone()
    {
        const int Limit = 4;
        const int Attempts = 32;
        var hub = NewHub(maxConnectionsPerPlayer: Limit);
        var (player, other) = (Guid.NewGuid(), Guid.NewGuid());
        var attempts = new PushConnection?[Attempts];
        using var start = new Barrier(Attempts);

        // Threads of their own, released together: the thread pool would start them one by one.
        var threads = Enumerable.Range(0, Attempts).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            attempts[i] = hub.TryRegister(player);
        })).ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());
        var registered = attempts.OfType<PushConnection>().ToList();
        var refusedWhileFull = hub.TryRegister(player);
        using var others = hub.TryRegister(other);
        using var everybody = hub.TryRegister(null);
        registered[0].Dispose();
        using var afterOneClosed = hub.TryRegister(player);

        Assert.Equal(Limit, registered.Count);
        Assert.Null(refusedWhileFull);
        Assert.NotNull(others);
        Assert.NotNull(everybody);
        Assert.NotNull(afterOneClosed);
        Assert.Equal(Limit, hub.ConnectionsOf(player));
        foreach (var connection in registered)
        {
            connection.Dispose();
        }
    }

    public void Dispose() => _services.Dispose();

    private NotificationHub NewHub(int bufferSize = 100, int maxConnectionsPerPlayer = 16) =>
        new(Options.Create(new PushOptions { BufferSize = bufferSize, MaxConnectionsPerPlayer = maxConnectionsPerPlayer }), new PushMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger<NotificationHub>.Instance);

    private static EntitlementNotification Notification(Guid player, long position) => new()
    {
        Position = position,
        Cursor = position.ToString(CultureInfo.InvariantCulture),
        EventId = $"event-{position}",
        PlayerUuid = player,
        Version = 1,
        Kind = NotificationKind.EntitlementUpdated,
    };

    /// <summary>The positions waiting on a connection, after checking that each is its player's.</summary>
    private static List<long> Drain(PushConnection connection)
    {
        var positions = new List<long>();
        while (connection.Live.TryRead(out var notification))
        {
            Assert.True(connection.Matches(notification));
            positions.Add(notification.Position);
        }

        return positions;
    }
}
