using System.Text.Json.Serialization;
using Entitlements.Gateway.OpenApi;

namespace Entitlements.Gateway.RallyHere;

/// <summary>RallyHere's error body for 403, 404, 409 and other non-validation failures.</summary>
public sealed record HzApiErrorModel(
    [property: JsonPropertyName("auth_success"), OptionalOnWire] bool AuthSuccess,
    [property: JsonPropertyName("error_code")] string ErrorCode,
    [property: JsonPropertyName("desc")] string Desc);
