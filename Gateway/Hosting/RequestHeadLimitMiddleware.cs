using System.Text;
using Entitlements.Gateway.PlayFab;
using Entitlements.Gateway.RallyHere;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Entitlements.Gateway.Hosting;

/// <summary>
/// The gateway's bounds on a request's head: the request target (path and query as sent) and the headers.
/// A request past one is answered 414 or 431 in its surface's own error shape, before authentication or any
/// handler runs. Kestrel would answer the same statuses itself, with an empty body, before any middleware could
/// speak; so its own limits are set to twice these (<see cref="RaiseKestrelLimits"/>), which still bounds what one
/// connection holds, and only a head past those gets Kestrel's empty answer.
/// </summary>
public sealed class RequestHeadLimitMiddleware(RequestDelegate next)
{
    /// <summary>
    /// The longest request target, in bytes (percent-encoded, so ASCII). The longest valid one is a platform-user
    /// <c>PUT</c> whose <c>platform_user_id</c> (<see cref="Contracts.PlatformUserLink.MaxPlatformUserIdLength"/>
    /// characters) and <c>display_name</c> (<see cref="Contracts.PlatformUserLink.MaxDisplayNameLength"/>) are all
    /// 4-byte characters, each written as 12 bytes (<c>%F0%9F%98%80</c>): 27,776 bytes with the rest of its query
    /// (platform <c>NintendoSwitch</c>, a <c>player_uuid</c>). A catalog path with the longest SKU
    /// (<see cref="Contracts.CatalogSku.MaxSkuLength"/> such characters) is 24,629. The rest is room for a client
    /// that encodes more than it must or adds a parameter the route ignores.
    /// </summary>
    public const int MaxTargetBytes = 32 * 1024;

    /// <summary>The most header bytes, each header line counted as <c>Name: value</c> and its CRLF (Kestrel's own default).</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>The most header lines (Kestrel's own default).</summary>
    public const int MaxHeaderCount = 100;

    /// <summary>
    /// Kestrel's limits at twice the gateway's, so that a head past the gateway's reaches this middleware, and what
    /// one connection holds of a head stays bounded (Kestrel's defaults are 8 KiB for the request line, 32 KiB and
    /// 100 lines for the headers). The request line holds the target with the method and version; over HTTP/2 and
    /// HTTP/3 the path is a header field of its own, bounded by the field size, and counts toward the header total.
    /// </summary>
    public static void RaiseKestrelLimits(KestrelServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Limits.MaxRequestLineSize = 2 * MaxTargetBytes;
        options.Limits.MaxRequestHeadersTotalSize = 2 * MaxHeaderBytes;
        options.Limits.MaxRequestHeaderCount = 2 * MaxHeaderCount;
        options.Limits.Http2.MaxRequestHeaderFieldSize = 2 * MaxTargetBytes;
        options.Limits.Http3.MaxRequestHeaderFieldSize = 2 * MaxTargetBytes;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        if (target.Length > MaxTargetBytes)
        {
            return RefuseAsync(
                context, StatusCodes.Status414RequestUriTooLong, "request_url_too_long", $"The request URL is longer than the gateway takes ({MaxTargetBytes} bytes).");
        }

        var (bytes, count) = Measure(context.Request.Headers);
        if (bytes > MaxHeaderBytes || count > MaxHeaderCount)
        {
            return RefuseAsync(
                context,
                StatusCodes.Status431RequestHeaderFieldsTooLarge,
                "request_headers_too_large",
                $"The request headers are larger than the gateway takes ({MaxHeaderBytes} bytes, {MaxHeaderCount} headers).");
        }

        return next(context);
    }

    /// <summary>The header lines' bytes (values are read as UTF-8, as Kestrel reads them) and their number.</summary>
    private static (long Bytes, int Count) Measure(IHeaderDictionary headers)
    {
        long bytes = 0;
        var count = 0;
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                bytes += name.Length + 2 + Encoding.UTF8.GetByteCount(value ?? string.Empty) + 2;
                count++;
            }
        }

        return (bytes, count);
    }

    /// <summary>
    /// The refusal in the shape of the surface the path belongs to, as its other errors are written. Over HTTP/1.x the
    /// connection then closes, as after Kestrel's own refusals, so that a client cannot go on sending such heads on it:
    /// Kestrel closes a connection after a response that carries <c>Connection: close</c>. Over HTTP/2 and HTTP/3 the
    /// answer ends the request's stream and the connection goes on (a connection header is not allowed there).
    /// </summary>
    private static Task RefuseAsync(HttpContext context, int status, string code, string description)
    {
        var protocol = context.Request.Protocol;
        if (HttpProtocol.IsHttp11(protocol) || HttpProtocol.IsHttp10(protocol))
        {
            context.Response.Headers.Connection = "close";
        }

        var path = context.Request.Path;
        if (path.StartsWithSegments(PlayFabRequestIdMiddleware.SurfacePath, StringComparison.OrdinalIgnoreCase))
        {
            return PlayFabResults.Error(PlayFabError.InvalidParams with { HttpStatus = status }, description).ExecuteAsync(context);
        }

        context.Response.StatusCode = status;
        if (path.StartsWithSegments(ErrorMiddleware.OperatorPath))
        {
            return TypedResults.Problem(title: code, detail: description, statusCode: status).ExecuteAsync(context);
        }

        return context.Response.WriteAsJsonAsync(new HzApiErrorModel(AuthSuccess: true, code, description));
    }
}
