using System.Text.Json.Serialization;

namespace Entitlements.Gateway.RallyHere;

/// <summary>
/// The body of an <c>HTTPException</c> in RallyHere's FastAPI services: <c>{"detail": "..."}</c>. FastAPI raises
/// one, 400 "There was an error parsing the body", for a body whose JSON Python reads with an error other
/// than a <c>JSONDecodeError</c>.
/// </summary>
public sealed record HttpErrorDetail([property: JsonPropertyName("detail")] string Detail);
