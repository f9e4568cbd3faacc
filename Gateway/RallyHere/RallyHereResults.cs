using Microsoft.AspNetCore.Http.HttpResults;

namespace Entitlements.Gateway.RallyHere;

/// <summary>RallyHere's error responses.</summary>
public static class RallyHereResults
{
    public static JsonHttpResult<HttpValidationError> Invalid(IReadOnlyList<ValidationErrorDetail> errors) =>
        TypedResults.Json(new HttpValidationError(errors), statusCode: StatusCodes.Status422UnprocessableEntity);

    public static JsonHttpResult<HttpValidationError> Invalid(string location, string field, string message, string type) =>
        Invalid([new ValidationErrorDetail([location, field], message, type)]);

    public static JsonHttpResult<HzApiErrorModel> Error(int statusCode, string errorCode, string description) =>
        TypedResults.Json(new HzApiErrorModel(AuthSuccess: true, errorCode, description), statusCode: statusCode);
}
