using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Entitlements.Gateway.Auth;

/// <summary>
/// CORS for the pages of <see cref="AuthOptions.AllowedOrigins"/>, so that they can read what the gateway
/// answers to the requests they may send with the <c>Authorization</c> cookie (<see cref="AuthMiddleware"/>).
/// A request whose <c>Origin</c> is listed (compared as <see cref="RequestOrigin.Normalize"/> does) gets
/// <c>Access-Control-Allow-Origin</c> naming that origin, <c>Access-Control-Allow-Credentials: true</c> and
/// <c>Vary: Origin</c>, and its preflight is answered 204 before authentication (a preflight carries no
/// credentials). Any other request, and every request when the list is empty, does not pass through the
/// CORS middleware at all: no <c>Access-Control-*</c> header, and a preflight is answered as any
/// <c>OPTIONS</c> request is (405 on a route). While the list is not empty those answers carry
/// <c>Vary: Origin</c> too (added once to whatever <c>Vary</c> the route set): without it a shared cache
/// could keep one, which no page of another origin may read, and hand it to a page of a listed origin.
/// </summary>
public static class AllowedOriginsCors
{
    /// <summary>The methods of the gateway's routes.</summary>
    public static readonly string[] Methods = [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put];

    /// <summary>
    /// The request headers a page may set, beyond those a browser sends without a preflight: every header a
    /// route reads that a script can set, and the ones PlayFab's SDKs add to each call.
    /// <list type="bullet">
    /// <item><c>Content-Type</c>: a JSON body (<c>application/json</c> is not a type sent without a preflight).</item>
    /// <item><c>Content-Encoding</c>: the PlayFab routes take a gzip body (<see cref="PlayFab.PlayFabRequestReader"/>).</item>
    /// <item><c>Authorization</c>: the token, when a page sends it rather than the cookie (<see cref="AuthMiddleware"/>).</item>
    /// <item><c>X-Authorization</c>: PlayFab's session ticket (<see cref="Apis.PlayFabClientApi.SessionTicketHeader"/>).</item>
    /// <item><c>X-PlayFabSDK</c>: not read, but PlayFab's SDKs (the JavaScript one included) send it with every call.</item>
    /// <item><c>X-ReportErrorAsSuccess</c>: PlayFab's errors as HTTP 200 (<see cref="PlayFab.PlayFabResults.ReportErrorAsSuccessHeader"/>), which PlayFab's SDKs send.</item>
    /// <item><c>Last-Event-ID</c>: the SSE resume cursor (<see cref="Apis.NotificationsApi.LastEventIdHeader"/>).</item>
    /// <item><c>If-None-Match</c>, <c>If-Match</c>: the catalog's conditional GET and PUT.</item>
    /// </list>
    /// The other request headers routes read (<c>Origin</c>, <c>Cookie</c>, <c>Accept-Encoding</c>) are the
    /// browser's own, which a page cannot set.
    /// </summary>
    public static readonly string[] RequestHeaders =
    [
        "Content-Type", "Content-Encoding", "Authorization", "X-Authorization", "X-PlayFabSDK", "X-ReportErrorAsSuccess",
        "Last-Event-ID", "If-None-Match", "If-Match",
    ];

    /// <summary>The response headers, beyond those every page may read, that routes set for their clients.</summary>
    public static readonly string[] ExposedHeaders = ["ETag", "Retry-After", "X-RequestId"];

    /// <summary>How long a browser may reuse a preflight's answer.</summary>
    public static readonly TimeSpan PreflightMaxAge = TimeSpan.FromMinutes(10);

    /// <summary>The CORS policy for <paramref name="auth"/>'s allowed origins (none registered when the list is empty).</summary>
    public static IServiceCollection AddAllowedOriginsCors(this IServiceCollection services, AuthOptions auth)
    {
        ArgumentNullException.ThrowIfNull(auth);
        if (Listed(auth) is not { Count: > 0 } listed)
        {
            return services;
        }

        return services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .SetIsOriginAllowed(origin => IsListed(listed, origin))
            .AllowCredentials()
            .WithMethods(Methods)
            .WithHeaders(RequestHeaders)
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(PreflightMaxAge)));
    }

    /// <summary>
    /// The CORS middleware, for requests from a listed origin only, and <c>Vary: Origin</c> on the answers to
    /// all others (nothing at all when the list is empty). Put after routing and before
    /// <see cref="AuthMiddleware"/>: it answers a preflight itself, which authentication would refuse.
    /// </summary>
    public static IApplicationBuilder UseAllowedOriginsCors(this IApplicationBuilder app, AuthOptions auth)
    {
        ArgumentNullException.ThrowIfNull(auth);
        if (Listed(auth) is not { Count: > 0 } listed)
        {
            return app;
        }

        return app
            .UseWhen(context => FromListed(listed, context), branch => branch.UseCors())
            .UseWhen(context => !FromListed(listed, context), branch => branch.Use((context, next) =>
            {
                context.Response.OnStarting(VaryByOrigin, context.Response);
                return next(context);
            }));
    }

    private static bool FromListed(HashSet<string> listed, HttpContext context) =>
        context.Request.Headers.Origin is { Count: 1 } origin && IsListed(listed, origin[0]);

    /// <summary>Adds <c>Origin</c> to the answer's <c>Vary</c>, after what the route put there, unless it is there already.</summary>
    private static Task VaryByOrigin(object state)
    {
        var headers = ((HttpResponse)state).Headers;
        var named = headers.Vary.Any(value => value?.Split(',').Any(name => name.Trim().Equals(HeaderNames.Origin, StringComparison.OrdinalIgnoreCase)) == true);
        if (!named)
        {
            headers.Vary = StringValues.Concat(headers.Vary, HeaderNames.Origin);
        }

        return Task.CompletedTask;
    }

    private static HashSet<string> Listed(AuthOptions auth) =>
        [.. auth.AllowedOrigins.Select(RequestOrigin.Normalize).OfType<string>()];

    private static bool IsListed(HashSet<string> listed, string? origin) =>
        RequestOrigin.Normalize(origin) is { } normalized && listed.Contains(normalized);
}
