using System.Text.Json.Serialization;
using Entitlements.Gateway.OpenApi;

namespace Entitlements.Gateway.RallyHere;

/// <summary>The 422 body RallyHere's FastAPI services return.</summary>
[SchemaName("HTTPValidationError")]
public sealed record HttpValidationError([property: JsonPropertyName("detail"), OptionalOnWire] IReadOnlyList<ValidationErrorDetail> Detail);
