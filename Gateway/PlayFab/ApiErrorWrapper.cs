using System.Text.Json.Serialization;

namespace Entitlements.Gateway.PlayFab;

/// <summary>
/// PlayFab's body of every failed call. Both <c>error</c> and <c>errorCode</c> are always sent;
/// <c>retryAfterSeconds</c> only with a throttling error, where PlayFab's SDKs read it (the ones that ask for
/// errors as HTTP 200 never see a <c>Retry-After</c> header).
/// </summary>
public sealed record ApiErrorWrapper(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("errorCode")] int ErrorCode,
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorDetails"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] IReadOnlyDictionary<string, string[]>? ErrorDetails,
    [property: JsonPropertyName("retryAfterSeconds"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? RetryAfterSeconds = null);
