using System.Globalization;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.Notifications;
using Entitlements.Gateway.RallyHere;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Entitlements.Gateway.Apis;

/// <summary>
/// Notifications pushed to clients: AccelByte's <c>entitlementUpdated</c> and <c>revocationCompleted</c>
/// messages over a WebSocket or as server-sent events, for one player or for every player, resumable
/// with a cursor (<c>?after=</c>, or SSE's <c>Last-Event-ID</c>).
/// </summary>
public static class NotificationsApi
{
    public const string AfterParameter = "after";
    public const string LastEventIdHeader = "Last-Event-ID";
    private const int MaxCursorLength = 255;

    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/notifications/v1").WithTags("Notifications");
        group.MapGet("/player/{player_uuid}/ws", PlayerWebSocket)
            .WithName("player_notifications_websocket")
            .Produces<HzApiErrorModel>(StatusCodes.Status429TooManyRequests)
            .RequirePermission(Permissions.NotificationsRead, selfAllowed: true);
        group.MapGet("/player/{player_uuid}/sse", PlayerServerSentEvents)
            .WithName("player_notifications_sse")
            .Produces<HzApiErrorModel>(StatusCodes.Status429TooManyRequests)
            .RequirePermission(Permissions.NotificationsRead, selfAllowed: true);
        group.MapGet("/ws", AllPlayersWebSocket)
            .WithName("all_notifications_websocket")
            .RequirePermission(Permissions.NotificationsAll);
        group.MapGet("/sse", AllPlayersServerSentEvents)
            .WithName("all_notifications_sse")
            .RequirePermission(Permissions.NotificationsAll);
        return app;
    }

    public static async Task<Results<EmptyHttpResult, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>>> PlayerWebSocket(
        HttpContext context, PushSession push)
    {
        if (!TryPlayer(context, out var player, out var invalid))
        {
            return invalid;
        }

        return await WebSocketAsync(context, push, player);
    }

    public static async Task<Results<EmptyHttpResult, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>>> PlayerServerSentEvents(HttpContext context, PushSession push)
    {
        if (!TryPlayer(context, out var player, out var invalid))
        {
            return invalid;
        }

        return await ServerSentEventsAsync(context, push, player);
    }

    public static Task<Results<EmptyHttpResult, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>>> AllPlayersWebSocket(
        HttpContext context, PushSession push) => WebSocketAsync(context, push, player: null);

    public static Task<Results<EmptyHttpResult, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>>> AllPlayersServerSentEvents(HttpContext context, PushSession push) =>
        ServerSentEventsAsync(context, push, player: null);

    private static async Task<Results<EmptyHttpResult, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>>> WebSocketAsync(
        HttpContext context, PushSession push, Guid? player)
    {
        var resume = await ResumeAsync(context, push, lastEventId: false);
        if (resume.Invalid is { } invalid)
        {
            return invalid;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            return RallyHereResults.Error(
                StatusCodes.Status400BadRequest,
                "websocket_upgrade_required",
                "This route is a WebSocket endpoint: connect with a WebSocket upgrade request, or use the sse route for server-sent events.");
        }

        // Registered before the upgrade is answered: everything committed after the client connects reaches it.
        if (await push.OpenAsync(player, resume.Position, resume.Cursor) is not { } start)
        {
            return TooManyConnections(context, push);
        }

        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            using var transport = new WebSocketTransport(socket, context.Abort);
            await push.RunAsync(start, transport, AuthMiddleware.Credential(context), context.RequestAborted);
        }
        finally
        {
            start.Connection.Dispose();
        }

        return TypedResults.Empty;
    }

    private static async Task<Results<EmptyHttpResult, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>>> ServerSentEventsAsync(HttpContext context, PushSession push, Guid? player)
    {
        var resume = await ResumeAsync(context, push, lastEventId: true);
        if (resume.Invalid is { } invalid)
        {
            return invalid;
        }

        if (await push.OpenAsync(player, resume.Position, resume.Cursor) is not { } start)
        {
            return TooManyConnections(context, push);
        }

        try
        {
            var transport = new ServerSentEventsTransport(context);
            await transport.StartAsync();
            await push.RunAsync(start, transport, AuthMiddleware.Credential(context), context.RequestAborted);
        }
        finally
        {
            start.Connection.Dispose();
        }

        return TypedResults.Empty;
    }

    /// <summary>
    /// Where a client resumes: <c>?after=</c> (its last value when given more than once) and (SSE) the <c>Last-Event-ID</c> header, the later of the two when both are
    /// given (an <c>EventSource</c> reconnects to the same URL, its <c>?after=</c> included, with the id of the last event it
    /// got); nothing when neither is given. A cursor that is given and invalid is refused, the query's first.
    /// </summary>
    private static async Task<(long? Position, string? Cursor, JsonHttpResult<HttpValidationError>? Invalid)> ResumeAsync(HttpContext context, PushSession push, bool lastEventId)
    {
        (long Position, string Cursor)? resume = null;
        if (context.Request.Query.TryGetValue(AfterParameter, out var values))
        {
            var text = values.Count > 0 ? values[^1] : null; // given more than once, the last, as Starlette reads it
            if (await DecodeAsync(push, text) is not { } position)
            {
                return (null, null, InvalidCursor("query", AfterParameter));
            }

            resume = (position, text!);
        }

        if (lastEventId && context.Request.Headers[LastEventIdHeader].ToString() is { Length: > 0 } header)
        {
            if (await DecodeAsync(push, header) is not { } position)
            {
                return (null, null, InvalidCursor("header", LastEventIdHeader.ToLowerInvariant()));
            }

            if (resume is not { } query || position > query.Position)
            {
                resume = (position, header);
            }
        }

        return resume is { } start ? (start.Position, start.Cursor, null) : (null, null, null);
    }

    private static async Task<long?> DecodeAsync(PushSession push, string? text) =>
        string.IsNullOrEmpty(text) || text.Length > MaxCursorLength ? null : await push.DecodeCursorAsync(text);

    /// <summary>
    /// The player already has the most connections a gateway keeps open for one player. Like every 429 and
    /// 503 of the gateway it says when to try again: a place frees as soon as a connection ends, so in a second.
    /// </summary>
    private static JsonHttpResult<HzApiErrorModel> TooManyConnections(HttpContext context, PushSession push)
    {
        context.Response.Headers.RetryAfter = "1";
        return RallyHereResults.Error(
            StatusCodes.Status429TooManyRequests,
            "too_many_connections",
            $"This player already has {push.MaxConnectionsPerPlayer} notification connections open on this server; close one before opening another.");
    }

    private static JsonHttpResult<HttpValidationError> InvalidCursor(string location, string name) =>
        RallyHereResults.Invalid(location, name, "Invalid cursor: it was not issued for the notification feed", "value_error");

    private static bool TryPlayer(HttpContext context, out Guid player, out JsonHttpResult<HttpValidationError> invalid)
    {
        invalid = null!;
        if (Guid.TryParse(context.Request.RouteValues["player_uuid"] as string, CultureInfo.InvariantCulture, out player))
        {
            return true;
        }

        invalid = RallyHereResults.Invalid("path", "player_uuid", "Input should be a valid UUID", "uuid_parsing");
        return false;
    }
}
