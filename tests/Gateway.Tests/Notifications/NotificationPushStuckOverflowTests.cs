using Entitlements.Gateway.Notifications;
using Entitlements.Notifications;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// Both halves of the slow-consumer policy at once: the first send never completes, and the buffer
/// overflows before that send times out. One connection dropped once: counted as an overflow only, and
/// aborted, since no close frame can pass the stuck send.
/// <para>
/// Over loopback a client that stops reading leaves room for thousands of notifications in the kernel's
/// buffers, so a real socket's send gets stuck only after the buffer of any practical size has overflowed
/// (<see cref="NotificationPushSendTimeoutTests"/> and <see cref="NotificationPushLimitsTests"/> cover each
/// half over real sockets). Here the gateway's own session, hub, stream subscription and grants are real;
/// only the client is a transport whose sends never complete.
/// </para>
/// </summary>
public sealed class NotificationPushStuckOverflowTests(PushStuckOverflowFixture fixture) : IClassFixture<PushStuckOverflowFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task BufferOverflowsDuringAStuckSend_IsCountedOnceAsOverflowAndAborted()
    {
        var player = await _client.CreatePlayerAsync();
        using var timeouts = new DisconnectCounter(fixture, "send_timeout");
        using var overflows = new DisconnectCounter(fixture, "overflow");
        var session = fixture.App.Services.GetRequiredService<PushSession>();
        var transport = new StuckTransport();
        var start = await session.OpenAsync(player.Uuid, afterPosition: null, afterCursor: null) ?? throw new InvalidOperationException("the player is at the connection limit");
        var running = session.RunAsync(start, transport, CancellationToken.None);

        // The first notification's send begins (and sticks) before the rest are granted: on a busy machine the
        // buffer could otherwise overflow before the session took its first notification, and the session,
        // seeing the overflow with no send under way, would ask the stuck transport to close.
        var first = await GemGrants.OneAsync(_client, player);
        await Poll.UntilAsync(() => transport.Sends == 1, TimeSpan.FromSeconds(30), "the session's first send did not begin");
        // Until the hub has counted the overflow; the session then ends when the stuck send times out.
        var grants = await GemGrants.UntilAsync(_client, player, () => overflows.Count > 0 || running.IsCompleted, "the buffer did not overflow");
        await running;

        Assert.Equal(1, overflows.Count);
        Assert.Equal(0, timeouts.Count);
        Assert.True(transport.Aborted);
        Assert.False(transport.CloseRequested);
        Assert.Equal(1, transport.Sends);
        Assert.InRange(grants.Prepend(first).Count(), 11, 1000);
    }

    /// <summary>A client that stopped reading: its first send never completes, until the connection is aborted.</summary>
    private sealed class StuckTransport : IPushTransport
    {
        private readonly TaskCompletionSource _stuck = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _sends;

        public CancellationToken ClientGone => CancellationToken.None;

        public Task<bool> PingTimedOutAsync() => Task.FromResult(false);

        public int Sends => Volatile.Read(ref _sends);

        public bool Aborted { get; private set; }

        public bool CloseRequested { get; private set; }

        public Task SendAsync(EntitlementNotification notification, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sends);
            return _stuck.Task;
        }

        public Task SendHeartbeatAsync(DateTimeOffset now, CancellationToken cancellationToken) => _stuck.Task;

        public Task CloseAsync(PushDisconnectKind kind, string reason, string? resumeCursor, CancellationToken cancellationToken)
        {
            CloseRequested = true;
            return _stuck.Task.WaitAsync(cancellationToken);
        }

        public void Abort()
        {
            Aborted = true;
            _stuck.TrySetException(new IOException("The connection was aborted."));
        }
    }
}
