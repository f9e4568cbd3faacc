using System.Text.Json.Serialization;

namespace Entitlements.Gateway.RallyHere;

/// <summary>One entry of FastAPI's <c>HTTPValidationError.detail</c>; <c>loc</c> starts with body, query or path.</summary>
public sealed record ValidationErrorDetail(
    [property: JsonPropertyName("loc")] IReadOnlyList<object> Loc,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("type")] string Type);
