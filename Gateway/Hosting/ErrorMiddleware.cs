using Entitlements.Diagnostics;
using Entitlements.Gateway.RallyHere;

namespace Entitlements.Gateway.Hosting;

/// <summary>
/// The last line: an exception that escapes a handler becomes RallyHere's error body with no internal
/// detail. The cluster being unreachable or too slow, or the signing keys not loaded yet, is a 503 with
/// <c>Retry-After</c>; a malformed HTTP request keeps its 4xx; anything else is logged and answered 500.
/// </summary>
public sealed partial class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> logger)
{
    /// <summary>Where the operator routes are, whose errors are RFC 9457 problem details.</summary>
    internal static readonly PathString OperatorPath = new("/ops");

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, exception.StatusCode, "bad_request", "The HTTP request could not be read.");
        }
        catch (Exception exception) when (!context.Response.HasStarted && Unavailability.IsUnavailable(exception, context.RequestAborted))
        {
            // Expected while the cluster or its storage is down, so one line per request; the stack trace at Debug.
            LogUnavailable(logger, context.Request.Path, ExceptionLine.Of(exception));
            LogUnavailableException(logger, exception, context.Request.Path);
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "service_unavailable", "The service is temporarily unavailable; retry later.");
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            LogFailed(logger, exception, context.Request.Path);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "internal_error", "An internal error occurred.");
        }
    }

    private static Task WriteAsync(HttpContext context, int status, string code, string description)
    {
        context.Response.Clear();
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            // After the Clear, which drops the headers too.
            context.Response.Headers.RetryAfter = Unavailability.RetryAfterSeconds;
        }

        // The operator routes are ours, not a peer's: their errors are RFC 9457 problem details.
        if (context.Request.Path.StartsWithSegments(OperatorPath))
        {
            return TypedResults.Problem(title: code, detail: description, statusCode: status).ExecuteAsync(context);
        }

        return context.Response.WriteAsJsonAsync(new HzApiErrorModel(AuthSuccess: true, code, description));
    }
}
