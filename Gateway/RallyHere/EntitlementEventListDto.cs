using System.Text.Json.Serialization;
using Entitlements.Gateway.OpenApi;

namespace Entitlements.Gateway.RallyHere;

/// <summary>RallyHere's <c>EntitlementEventList</c>: <c>cursor</c> is null on the last page.</summary>
[SchemaName("EntitlementEventList")]
public sealed record EntitlementEventListDto(
    [property: JsonPropertyName("events")] IReadOnlyList<EntitlementEventDto> Events,
    [property: JsonPropertyName("cursor"), OptionalOnWire] string? Cursor);
