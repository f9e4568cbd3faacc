using Entitlements.Notifications;
using Microsoft.AspNetCore.Http.Features;

namespace Entitlements.Gateway.Notifications;

/// <summary>Push as server-sent events (<c>text/event-stream</c>), flushed after every event.</summary>
public sealed class ServerSentEventsTransport(HttpContext context) : IPushTransport
{
    public CancellationToken ClientGone => context.RequestAborted;

    /// <summary>Always false: SSE has no pings (a dead client is noticed by the send timeout).</summary>
    public Task<bool> PingTimedOutAsync() => Task.FromResult(false);

    /// <summary>Send the headers, so that the client knows the stream is open.</summary>
    public async Task StartAsync()
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted);
    }

    public Task SendAsync(EntitlementNotification notification, CancellationToken cancellationToken) =>
        WriteAsync(PushFrames.ServerSentEvent(notification), cancellationToken);

    public Task SendHeartbeatAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(PushFrames.ServerSentHeartbeat, cancellationToken);

    /// <summary>
    /// The resume cursor as the event id (an event with no data sets a client's last event id and
    /// dispatches nothing), so that even a client that was sent nothing resumes where it started. A slow
    /// consumer, an interrupted stream, an unavailable feed or a token no longer accepted also gets an
    /// <c>error</c> event with the reason. Then the response ends.
    /// </summary>
    public async Task CloseAsync(PushDisconnectKind kind, string reason, string? resumeCursor, CancellationToken cancellationToken)
    {
        if (!context.RequestAborted.IsCancellationRequested)
        {
            if (resumeCursor is not null)
            {
                await WriteAsync(PushFrames.ServerSentId(resumeCursor), cancellationToken);
            }

            if (kind is PushDisconnectKind.Overflow or PushDisconnectKind.StreamInterrupted or PushDisconnectKind.Unavailable or PushDisconnectKind.TokenRejected)
            {
                await WriteAsync(PushFrames.ServerSentError(reason), cancellationToken);
            }
        }

        await context.Response.CompleteAsync();
    }

    public void Abort() => context.Abort();

    private async Task WriteAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await context.Response.Body.WriteAsync(bytes, cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }
}
