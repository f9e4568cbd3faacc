using System.Text.Json.Serialization;

namespace Entitlements.Gateway.RallyHere;

/// <summary>RallyHere's <c>EntitlementEventList</c>: <c>cursor</c> is null on the last page.</summary>
public sealed record EntitlementEventListDto(
    [property: JsonPropertyName("events")] IReadOnlyList<EntitlementEventDto> Events,
    [property: JsonPropertyName("cursor")] string? Cursor);
