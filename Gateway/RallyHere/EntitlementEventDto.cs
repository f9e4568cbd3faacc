using System.Text.Json;
using System.Text.Json.Serialization;
using Entitlements.Contracts;

namespace Entitlements.Gateway.RallyHere;

/// <summary>RallyHere's <c>EntitlementEvent</c>. Every field is written, null or not.</summary>
public sealed record EntitlementEventDto
{
    [JsonPropertyName("event_id")] public required string EventId { get; init; }
    [JsonPropertyName("action_type")] public required string ActionType { get; init; }
    [JsonPropertyName("entitlement_type")] public string? EntitlementType { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("player_uuid")] public Guid? PlayerUuid { get; init; }
    [JsonPropertyName("player_id")] public long? PlayerId { get; init; }
    [JsonPropertyName("platform")] public required string Platform { get; init; }
    [JsonPropertyName("platform_user_id")] public required string PlatformUserId { get; init; }
    [JsonPropertyName("sku")] public required string Sku { get; init; }
    [JsonPropertyName("quantity")] public required long Quantity { get; init; }
    [JsonPropertyName("platform_transaction_id")] public string? PlatformTransactionId { get; init; }
    [JsonPropertyName("platform_data")] public JsonElement? PlatformData { get; init; }
    [JsonPropertyName("order_id")] public string? OrderId { get; init; }
    [JsonPropertyName("loot_id")] public long? LootId { get; init; }
    [JsonPropertyName("key_claim_uuid")] public Guid? KeyClaimUuid { get; init; }
    [JsonPropertyName("created")] public required string Created { get; init; }
    [JsonPropertyName("last_modified")] public required string LastModified { get; init; }

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
            PlatformData = record.PlatformDataJson is { } json ? JsonDocument.Parse(json).RootElement.Clone() : null,
            OrderId = record.OrderId,
            LootId = record.LootId,
            Created = RallyHereTime.Format(record.Created),
            LastModified = RallyHereTime.Format(record.LastModified),
        };
    }
}
