using System.Text.Json;
using System.Text.Json.Serialization;

namespace Entitlements.Gateway.PlayFab;

/// <summary>PlayFab's success envelope and <c>ApiErrorWrapper</c>, written with PlayFab's property names.</summary>
public static class PlayFabResults
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IResult Ok<T>(T data) => Results.Json(new PlayFabResponse<T>(StatusCodes.Status200OK, "OK", data), Json);

    public static IResult Error(PlayFabError error, string message, IReadOnlyDictionary<string, string[]>? details = null) => Results.Json(
        new ApiErrorWrapper(error.HttpStatus, StatusText(error.HttpStatus), error.Name, error.Number, message, details),
        Json,
        statusCode: error.HttpStatus);

    public static IResult InvalidParams(string field, string message) =>
        Error(PlayFabError.InvalidParams, "Invalid input parameters", new Dictionary<string, string[]> { [field] = [message] });

    private static string StatusText(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "BadRequest",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status503ServiceUnavailable => "ServiceUnavailable",
        _ => "Error",
    };
}
