using System.Text.Json.Serialization;
using Entitlements.Gateway.OpenApi;

namespace Entitlements.Gateway.RallyHere;

/// <summary>One entry of FastAPI's <c>HTTPValidationError.detail</c>; <c>loc</c> starts with body, query or path.</summary>
[SchemaName("ValidationError")]
public sealed record ValidationErrorDetail(
    [property: JsonPropertyName("loc"), WireLocation] IReadOnlyList<object> Loc,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("type")] string Type);
