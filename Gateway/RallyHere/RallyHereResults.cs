using Microsoft.AspNetCore.Http.HttpResults;

namespace Entitlements.Gateway.RallyHere;

/// <summary>RallyHere's error responses.</summary>
public static class RallyHereResults
{
    public static JsonHttpResult<HttpValidationError> Invalid(IReadOnlyList<ValidationErrorDetail> errors) =>
        TypedResults.Json(new HttpValidationError(errors), statusCode: StatusCodes.Status422UnprocessableEntity);

    public static JsonHttpResult<HttpValidationError> Invalid(string location, string field, string message, string type) =>
        Invalid([new ValidationErrorDetail([location, field], message, type)]);

    /// <summary>
    /// FastAPI's 400 for a JSON body Python's <c>json.loads</c> raises a plain <c>ValueError</c> on (not a
    /// <c>JSONDecodeError</c>, which is a 422 <c>json_invalid</c>): one whose bytes it cannot decode as UTF-8, or
    /// one holding an integer of more digits than CPython converts. It is answered before any field is looked at,
    /// and nothing runs.
    /// </summary>
    public static JsonHttpResult<HttpErrorDetail> BodyNotParsed() =>
        TypedResults.Json(new HttpErrorDetail("There was an error parsing the body"), statusCode: StatusCodes.Status400BadRequest);

    /// <summary>413 for a request body over the route's limit (RallyHere documents none; ours).</summary>
    public static JsonHttpResult<HzApiErrorModel> TooLarge(int maxBytes) =>
        Error(StatusCodes.Status413PayloadTooLarge, "request_body_too_large", $"The request body is larger than this route takes ({maxBytes} bytes).");

    public static JsonHttpResult<HzApiErrorModel> Error(int statusCode, string errorCode, string description) =>
        TypedResults.Json(new HzApiErrorModel(AuthSuccess: true, errorCode, description), statusCode: statusCode);
}
