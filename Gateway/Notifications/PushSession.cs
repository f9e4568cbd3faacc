using Entitlements.Diagnostics;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.Hosting;
using Entitlements.Notifications;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Notifications;

/// <summary>
/// Runs one push connection: the replay from the ledger when the client resumes, then the live
/// notifications, with heartbeats, until the client leaves, the connection is interrupted, or the
/// gateway stops.
/// <para>
/// The seam between replay and live has no gap and no duplicate: the connection is registered with the
/// hub before the ledger is read, so everything published from then on is in its channel; the replay
/// reads pages until the ledger has no more; then the channel is drained, and every live notification
/// at or before the last position sent is dropped (it was replayed, or published twice). A connection
/// that does not resume starts at the ledger's head, read after registering.
/// </para>
/// <para>
/// The token that opened the connection is checked again while it lasts (<see cref="CredentialWatch"/>): once
/// it expires, or a re-read key set no longer accepts it, the connection ends with a resume cursor, and the
/// client comes back with a fresh token.
/// </para>
/// </summary>
public sealed partial class PushSession(
    NotificationHub hub,
    IGrainFactory grains,
    IOptions<PushOptions> options,
    PushMetrics metrics,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    CredentialWatch credentials,
    ILogger<PushSession> logger)
{
    public const int ReplayPageSize = 500;

    /// <summary>The longest close reason a WebSocket close frame carries (125 bytes less the status code).</summary>
    public const int MaxReasonBytes = 123;

    /// <summary>The most connections one player's routes may have open on this gateway (<see cref="PushOptions.MaxConnectionsPerPlayer"/>).</summary>
    public int MaxConnectionsPerPlayer => options.Value.MaxConnectionsPerPlayer;

    /// <summary>The feed position a resume cursor names; null when it is not a notification cursor of this system.</summary>
    public Task<long?> DecodeCursorAsync(string cursor) => grains.GetGrain<INotificationFeedGrain>(0).DecodeCursorAsync(cursor);

    /// <summary>
    /// Register a connection and fix where it starts. Call before the response starts, so that nothing committed after that is missed.
    /// Null, with nothing registered or read, when <paramref name="player"/> already has as many connections as
    /// <see cref="PushOptions.MaxConnectionsPerPlayer"/> allows.
    /// </summary>
    public async Task<PushStart?> OpenAsync(Guid? player, long? afterPosition, string? afterCursor)
    {
        if (hub.TryRegister(player) is not { } connection)
        {
            return null;
        }

        try
        {
            if (afterPosition is { } position && afterCursor is { } cursor)
            {
                // Read now, not after the upgrade: a ledger that is down is a 503 before the response starts.
                var first = await grains.GetGrain<INotificationFeedGrain>(0).ReadAsync(new NotificationQuery(player, position, ReplayPageSize));
                return new PushStart(connection, position, Replay: true, cursor, first);
            }

            // With the head's cursor, a connection ended before it was sent anything still resumes where it
            // started, and misses nothing committed since.
            var head = await grains.GetGrain<INotificationFeedGrain>(0).HeadWithCursorAsync();
            return new PushStart(connection, head.Position, Replay: false, head.Cursor);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Push until the connection ends; then close the transport with the reason.</summary>
    public Task RunAsync(PushStart start, IPushTransport transport, CancellationToken requestAborted) =>
        RunAsync(start, transport, credential: null, requestAborted);

    /// <summary>
    /// Push until the connection ends, or until <paramref name="credential"/> (what the request was authenticated
    /// with; null for none to check) is no longer accepted; then close the transport with the reason.
    /// </summary>
    public async Task RunAsync(PushStart start, IPushTransport transport, string? credential, CancellationToken requestAborted)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(transport);
        var settings = options.Value;
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping, transport.ClientGone);
        var cancellationToken = ending.Token;
        var cursor = new PushCursor(start.Position, start.Cursor);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var rejected = credential is null ? UntilCanceledAsync(watching.Token) : credentials.UntilRejectedAsync(credential, watching.Token);
        PushDisconnectKind end;
        try
        {
            end = await PushAsync(start, transport, cursor, settings, rejected, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            end = lifetime.ApplicationStopping.IsCancellationRequested ? PushDisconnectKind.Shutdown : PushDisconnectKind.ClientGone;
        }
        catch (Exception exception) when (IsClientFailure(exception))
        {
            end = PushDisconnectKind.ClientGone;
        }
        catch (Exception exception)
        {
            // The feed could not be read (the cluster or its database): tell the client to come back later. That
            // is expected while they are down (one line, the stack trace at Debug, as for a 503); anything else is a bug.
            if (Unavailability.IsUnavailable(exception, cancellationToken))
            {
                LogUnavailable(logger, start.Connection.Player, ExceptionLine.Of(exception));
                LogUnavailableException(logger, exception, start.Connection.Player);
            }
            else
            {
                LogFailed(logger, exception, start.Connection.Player);
            }

            end = PushDisconnectKind.Unavailable;
        }

        // A client that did not answer the keep-alive ping looks gone, but the server ended the connection.
        if (end == PushDisconnectKind.ClientGone && await transport.PingTimedOutAsync())
        {
            end = PushDisconnectKind.PingTimeout;
        }

        // The watch ends before its token source is disposed; it never fails the connection's end.
        await watching.CancelAsync();
        await ((Task)rejected).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var rejection = rejected.IsCompletedSuccessfully ? rejected.Result : null;
        start.Connection.Dispose();
        await EndAsync(start, transport, cursor, end, end == PushDisconnectKind.TokenRejected ? rejection?.ErrorCode : null, settings);
    }

    /// <summary>The reason a client is told, with the cursor to resume from when there is one; at most <see cref="MaxReasonBytes"/> bytes.</summary>
    public static string Reason(PushDisconnectKind kind, int capacity, string? cursor) => Reason(kind, capacity, cursor, errorCode: null);

    /// <summary>
    /// The reason a client is told, with the cursor to resume from when there is one; at most <see cref="MaxReasonBytes"/> bytes.
    /// <paramref name="errorCode"/> is the token's rejection (<c>auth_token_expired</c>, ...) for <see cref="PushDisconnectKind.TokenRejected"/>.
    /// </summary>
    public static string Reason(PushDisconnectKind kind, int capacity, string? cursor, string? errorCode)
    {
        var what = kind switch
        {
            PushDisconnectKind.TokenRejected => $"token rejected: {errorCode ?? AuthErrorCode.Expired}",
            PushDisconnectKind.Overflow => $"slow consumer: over {capacity} notifications pending",
            PushDisconnectKind.SendTimeout => "slow consumer: a send timed out",
            PushDisconnectKind.PingTimeout => "no answer to the keep-alive ping",
            PushDisconnectKind.StreamInterrupted => "notification stream interrupted",
            PushDisconnectKind.Shutdown => "server shutting down",
            PushDisconnectKind.Unavailable => "notifications unavailable",
            _ => "closed",
        };
        var resume = cursor is null ? $"{what}; reconnect" : $"{what}; resume with after={cursor}";
        return System.Text.Encoding.UTF8.GetByteCount(resume) <= MaxReasonBytes ? resume : $"{what}; reconnect";
    }

    private async Task<PushDisconnectKind> PushAsync(
        PushStart start, IPushTransport transport, PushCursor cursor, PushOptions settings, Task<TokenRejection?> rejected, CancellationToken cancellationToken)
    {
        var connection = start.Connection;
        var feed = grains.GetGrain<INotificationFeedGrain>(0);
        if (start.Replay)
        {
            var page = start.FirstPage ?? await feed.ReadAsync(new NotificationQuery(connection.Player, cursor.Position, ReplayPageSize));
            while (true)
            {
                foreach (var notification in page.Notifications)
                {
                    if (connection.Interruption is { } interrupted)
                    {
                        return interrupted;
                    }

                    if (await IsRejectedAsync(rejected))
                    {
                        return PushDisconnectKind.TokenRejected;
                    }

                    if (!await SendAsync(transport, notification, settings, cancellationToken))
                    {
                        return PushDisconnectKind.SendTimeout;
                    }

                    cursor.Sent(notification);
                }

                if (!page.More)
                {
                    break;
                }

                page = await feed.ReadAsync(new NotificationQuery(connection.Player, cursor.Position, ReplayPageSize));
            }
        }

        var live = connection.Live;
        Task<bool>? waiting = null;
        Task? heartbeat = null;
        var nextHeartbeat = time.GetUtcNow() + settings.Heartbeat;
        while (true)
        {
            // An interruption wins over what is still buffered: a slow client is not fed its backlog first.
            while (connection.Interruption is null && live.TryRead(out var notification))
            {
                if (notification.Position <= cursor.Position)
                {
                    continue;
                }

                if (!await SendAsync(transport, notification, settings, cancellationToken))
                {
                    return PushDisconnectKind.SendTimeout;
                }

                cursor.Sent(notification);
            }

            if (connection.Interruption is { } interrupted)
            {
                return interrupted;
            }

            if (await IsRejectedAsync(rejected))
            {
                return PushDisconnectKind.TokenRejected;
            }

            var untilHeartbeat = nextHeartbeat - time.GetUtcNow();
            if (untilHeartbeat <= TimeSpan.Zero)
            {
                var now = time.GetUtcNow();
                if (!await WithinTimeoutAsync(token => transport.SendHeartbeatAsync(now, token), settings, cancellationToken))
                {
                    return PushDisconnectKind.SendTimeout;
                }

                nextHeartbeat = now + settings.Heartbeat;
                continue;
            }

            // Both waits outlive an iteration that the other one ended: no timer or waiter per notification.
            waiting ??= live.WaitToReadAsync(cancellationToken).AsTask();
            heartbeat ??= Task.Delay(untilHeartbeat, time, cancellationToken);
            var woken = await Task.WhenAny(waiting, heartbeat, rejected);
            if (woken == waiting)
            {
                // Data, or the channel was completed by an interruption: the top of the loop sees which.
                await waiting;
                waiting = null;
            }
            else if (woken == heartbeat)
            {
                heartbeat = null;
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static Task<bool> SendAsync(IPushTransport transport, EntitlementNotification notification, PushOptions settings, CancellationToken cancellationToken) =>
        WithinTimeoutAsync(token => transport.SendAsync(notification, token), settings, cancellationToken);

    /// <summary>
    /// One send, bounded by the send timeout: false when the client did not take it in time. The wait ends at
    /// the timeout; the send itself is not cancelled by it (a WebSocket cancels a send by aborting itself,
    /// which would look like the client leaving, and a write waiting on the server's output buffer does not
    /// always notice). The caller then aborts the connection, which ends the send.
    /// </summary>
    private static async Task<bool> WithinTimeoutAsync(Func<CancellationToken, Task> send, PushOptions settings, CancellationToken cancellationToken)
    {
        var sending = send(cancellationToken);
        try
        {
            await sending.WaitAsync(settings.SendTimeout, cancellationToken);
            return true;
        }
        catch (TimeoutException) when (sending.IsCompleted)
        {
            // The send finished just as the timeout fired: its own outcome counts, not the timeout.
            await sending;
            return true;
        }
        catch (TimeoutException)
        {
            Abandon(sending);
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !sending.IsCompleted)
        {
            Abandon(sending);
            throw;
        }
    }

    /// <summary>A send no longer waited for fails when its connection is aborted: observe that failure.</summary>
    private static void Abandon(Task sending) =>
        _ = sending.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private async Task EndAsync(PushStart start, IPushTransport transport, PushCursor cursor, PushDisconnectKind end, string? errorCode, PushOptions settings)
    {
        // A send that cannot complete leaves no way to send a close frame: the connection is aborted.
        var stuck = end == PushDisconnectKind.SendTimeout;
        if (stuck && start.Connection.Interruption == PushDisconnectKind.Overflow)
        {
            // The buffer overflowed while the send was stuck: one slow consumer, dropped for the overflow
            // the hub has already counted, not counted a second time as a send timeout.
            end = PushDisconnectKind.Overflow;
        }

        var reason = Reason(end, start.Connection.Capacity, cursor.Cursor, errorCode);
        if (end is PushDisconnectKind.SendTimeout or PushDisconnectKind.Shutdown or PushDisconnectKind.Unavailable or PushDisconnectKind.TokenRejected or PushDisconnectKind.PingTimeout)
        {
            // The hub counted overflows and stream interruptions when they happened.
            metrics.Disconnected(end);
        }

        if (end != PushDisconnectKind.ClientGone)
        {
            LogDisconnected(logger, start.Connection.Player, end, reason);
        }

        // A client that did not answer the ping has its socket aborted already: the connection under it goes too.
        if (stuck || end == PushDisconnectKind.PingTimeout)
        {
            transport.Abort();
            return;
        }

        using var timeout = new CancellationTokenSource(settings.SendTimeout);
        try
        {
            await transport.CloseAsync(end, reason, cursor.Cursor, timeout.Token);
        }
        catch (Exception exception) when (IsCancellationOrClientFailure(exception))
        {
            transport.Abort();
        }
    }

    /// <summary>
    /// True when the watch found the token rejected. A watch that ended with nothing found was canceled, as the
    /// connection is ending; one that failed throws here, which ends the connection as <see cref="PushDisconnectKind.Unavailable"/>.
    /// </summary>
    private static async ValueTask<bool> IsRejectedAsync(Task<TokenRejection?> rejected) => rejected.IsCompleted && await rejected is not null;

    /// <summary>The watch of a connection that has no credential to check: it finds nothing, and ends when canceled.</summary>
    private static async Task<TokenRejection?> UntilCanceledAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return null;
    }

    private static bool IsClientFailure(Exception exception) =>
        exception is IOException or System.Net.WebSockets.WebSocketException or ObjectDisposedException;

    private static bool IsCancellationOrClientFailure(Exception exception) => exception is OperationCanceledException || IsClientFailure(exception);
}
