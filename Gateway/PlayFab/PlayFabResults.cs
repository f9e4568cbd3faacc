using System.Text.Json;
using System.Text.Json.Serialization;

namespace Entitlements.Gateway.PlayFab;

/// <summary>PlayFab's success envelope and <c>ApiErrorWrapper</c>, written with PlayFab's property names.</summary>
public static class PlayFabResults
{
    /// <summary>
    /// Sent <c>true</c> by PlayFab's Unity, Unreal, Python, Lua and C++ SDKs on every call: an error is then
    /// answered with HTTP 200, its body unchanged (<c>code</c> and <c>status</c> keep the real error's), since
    /// those SDKs read the body only of a 200.
    /// </summary>
    public const string ReportErrorAsSuccessHeader = "X-ReportErrorAsSuccess";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IResult Ok<T>(T data) => Results.Json(new PlayFabResponse<T>(StatusCodes.Status200OK, "OK", data), Json);

    public static IResult Error(PlayFabError error, string message, IReadOnlyDictionary<string, string[]>? details = null, long? retryAfterSeconds = null) =>
        new ErrorResult(new ApiErrorWrapper(error.HttpStatus, StatusText(error.HttpStatus), error.Name, error.Number, message, details, retryAfterSeconds));

    public static IResult InvalidParams(string field, string message) =>
        Error(PlayFabError.InvalidParams, "Invalid input parameters", new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>
    /// Whether the request asks for errors as HTTP 200: one <see cref="ReportErrorAsSuccessHeader"/> whose value
    /// is <c>true</c> in any case (the SDKs send <c>true</c>; .NET's <c>bool.ToString()</c> is <c>True</c>),
    /// spaces around it ignored. Any other value, or more than one, leaves the real status.
    /// </summary>
    public static bool ReportsErrorAsSuccess(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Headers[ReportErrorAsSuccessHeader];
        return values.Count == 1 && string.Equals(values[0]?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
    }

    private static string StatusText(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "BadRequest",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status414RequestUriTooLong => "RequestUriTooLong",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "RequestHeaderFieldsTooLarge",
        StatusCodes.Status429TooManyRequests => "TooManyRequests",
        StatusCodes.Status503ServiceUnavailable => "ServiceUnavailable",
        _ => "Error",
    };

    /// <summary>An <c>ApiErrorWrapper</c>, sent with its own status, or with 200 when the request asks for that.</summary>
    private sealed class ErrorResult(ApiErrorWrapper body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var status = ReportsErrorAsSuccess(httpContext.Request) ? StatusCodes.Status200OK : body.Code;
            return Results.Json(body, Json, statusCode: status).ExecuteAsync(httpContext);
        }
    }
}
