using System.Text.Json.Serialization;

namespace Entitlements.Gateway.AccelByte;

public sealed record PageLinks(
    [property: JsonPropertyName("previous")] string? Previous,
    [property: JsonPropertyName("next")] string? Next);
