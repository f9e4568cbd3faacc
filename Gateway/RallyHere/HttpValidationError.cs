using System.Text.Json.Serialization;

namespace Entitlements.Gateway.RallyHere;

/// <summary>The 422 body RallyHere's FastAPI services return.</summary>
public sealed record HttpValidationError([property: JsonPropertyName("detail")] IReadOnlyList<ValidationErrorDetail> Detail);
