using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Entitlements.Contracts;
using Entitlements.Gateway.OpenApi;

namespace Entitlements.Gateway.RallyHere;

/// <summary>RallyHere's <c>EntitlementEvent</c>. Every field is written, null or not.</summary>
[SchemaName("EntitlementEvent")]
public sealed record EntitlementEventDto
{
    [JsonPropertyName("event_id")] public required string EventId { get; init; }
    [JsonPropertyName("action_type"), WireEnum<EntitlementActionType>] public required string ActionType { get; init; }
    [JsonPropertyName("entitlement_type"), WireEnum<EntitlementType>] public string? EntitlementType { get; init; }
    [JsonPropertyName("status"), WireEnum<EntitlementEventStatus>] public required string Status { get; init; }
    [JsonPropertyName("player_uuid")] public required Guid? PlayerUuid { get; init; }
    [JsonPropertyName("player_id")] public long? PlayerId { get; init; }
    [JsonPropertyName("platform"), WireEnum<Platform>] public required string Platform { get; init; }
    [JsonPropertyName("platform_user_id"), MaxLength(2048)] public required string PlatformUserId { get; init; }
    [JsonPropertyName("sku"), MaxLength(2048)] public required string Sku { get; init; }
    [JsonPropertyName("quantity")] public required long Quantity { get; init; }
    [JsonPropertyName("platform_transaction_id"), MaxLength(4096)] public string? PlatformTransactionId { get; init; }
    [JsonPropertyName("platform_data"), WireObject, JsonConverter(typeof(RawJsonConverter))] public JsonElement? PlatformData { get; init; }
    [JsonPropertyName("order_id")] public string? OrderId { get; init; }
    [JsonPropertyName("loot_id")] public long? LootId { get; init; }
    [JsonPropertyName("key_claim_uuid")] public Guid? KeyClaimUuid { get; init; }
    [JsonPropertyName("created"), WireFormat("date-time")] public required string Created { get; init; }
    [JsonPropertyName("last_modified"), WireFormat("date-time")] public required string LastModified { get; init; }

    public static EntitlementEventDto From(EntitlementEventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new EntitlementEventDto
        {
            EventId = record.EventId,
            ActionType = WireNames<EntitlementActionType>.Of(record.ActionType),
            EntitlementType = record.EntitlementType is { } type ? WireNames<EntitlementType>.Of(type) : null,
            Status = WireNames<EntitlementEventStatus>.Of(record.Status),
            PlayerUuid = record.PlayerUuid,
            PlayerId = record.PlayerId,
            Platform = WireNames<Platform>.Of(record.Platform),
            PlatformUserId = record.PlatformUserId,
            Sku = record.Sku,
            Quantity = record.Quantity,
            PlatformTransactionId = record.PlatformTransactionId,
            PlatformData = record.PlatformDataJson is { } json ? JsonElement.Parse(json) : null,
            OrderId = record.OrderId,
            LootId = record.LootId,
            Created = RallyHereTime.Format(record.Created),
            LastModified = RallyHereTime.Format(record.LastModified),
        };
    }
}
