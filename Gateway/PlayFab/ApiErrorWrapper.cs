using System.Text.Json.Serialization;

namespace Entitlements.Gateway.PlayFab;

/// <summary>PlayFab's body of every failed call. Both <c>error</c> and <c>errorCode</c> are always sent.</summary>
public sealed record ApiErrorWrapper(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("errorCode")] int ErrorCode,
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorDetails"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] IReadOnlyDictionary<string, string[]>? ErrorDetails);
