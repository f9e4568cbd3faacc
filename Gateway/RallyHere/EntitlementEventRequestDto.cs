using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Entitlements.Contracts;
using Entitlements.Gateway.OpenApi;

namespace Entitlements.Gateway.RallyHere;

/// <summary>
/// RallyHere's <c>EntitlementEventRequest</c>, as the OpenAPI document describes it. The route reads the
/// body itself (<see cref="EntitlementEventRequestReader"/>) to answer RallyHere's 422 for every field.
/// </summary>
[SchemaName("EntitlementEventRequest")]
public sealed record EntitlementEventRequestDto
{
    [JsonPropertyName("action_type"), WireEnum<EntitlementActionType>] public required string ActionType { get; init; }
    [JsonPropertyName("status"), WireEnum<EntitlementEventStatus>] public string? Status { get; init; }
    [JsonPropertyName("player_uuid")] public Guid? PlayerUuid { get; init; }
    [JsonPropertyName("platform"), WireEnum<Platform>] public required string Platform { get; init; }
    [JsonPropertyName("platform_user_id"), MaxLength(SubmitEntitlementEvent.MaxPlatformUserIdLength)] public required string PlatformUserId { get; init; }
    [JsonPropertyName("sku"), MaxLength(SubmitEntitlementEvent.MaxSkuLength)] public required string Sku { get; init; }
    [JsonPropertyName("quantity")] public long Quantity { get; init; } = 1;
    [JsonPropertyName("platform_transaction_id"), MaxLength(SubmitEntitlementEvent.MaxPlatformTransactionIdLength)] public required string PlatformTransactionId { get; init; }
    [JsonPropertyName("platform_data"), WireObject] public JsonElement? PlatformData { get; init; }
}
