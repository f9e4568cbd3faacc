using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Entitlements.Contracts;
using Entitlements.Gateway.OpenApi;
using Entitlements.Gateway.Validation;

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
    [JsonPropertyName("platform_user_id"), MaxLength(SubmitEntitlementEvent.MaxPlatformUserIdLength)] public required string PlatformUserId { get; init; }
    [JsonPropertyName("sku"), MaxLength(SubmitEntitlementEvent.MaxSkuLength)] public required string Sku { get; init; }
    [JsonPropertyName("quantity")] public required long Quantity { get; init; }
    [JsonPropertyName("platform_transaction_id"), MaxLength(SubmitEntitlementEvent.MaxPlatformTransactionIdLength)] public string? PlatformTransactionId { get; init; }
    [JsonPropertyName("platform_data"), WireObject, JsonConverter(typeof(RawJsonConverter))] public JsonElement? PlatformData { get; init; }
    [JsonPropertyName("order_id")] public string? OrderId { get; init; }
    [JsonPropertyName("loot_id")] public long? LootId { get; init; }
    [JsonPropertyName("key_claim_uuid")] public Guid? KeyClaimUuid { get; init; }
    [JsonPropertyName("created"), WireFormat("date-time")] public required string Created { get; init; }
    [JsonPropertyName("last_modified"), WireFormat("date-time")] public required string LastModified { get; init; }

    /// <param name="logger">Told of platform data that cannot be answered (see <see cref="PlatformDataOf"/>).</param>
    public static EntitlementEventDto From(EntitlementEventRecord record, ILogger logger)
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
            PlatformData = PlatformDataOf(record, logger),
            OrderId = record.OrderId,
            LootId = record.LootId,
            Created = RallyHereTime.Format(record.Created),
            LastModified = RallyHereTime.Format(record.LastModified),
        };
    }

    /// <summary>
    /// The stored platform data as the object it should be. The grains refuse anything else now, but an
    /// Orleans client could once store any text (<c>receipt=abc</c>, <c>[1]</c>, JSON nested deeper than an
    /// answer reads), and anybody an integer longer than Python's <c>json.loads</c> reads: such a row is answered
    /// with null and logged, so that it cannot make its event's replay and every listing page that holds it
    /// fail, for good (for a Python client, in the last case).
    /// </summary>
    private static JsonElement? PlatformDataOf(EntitlementEventRecord record, ILogger logger)
    {
        if (record.PlatformDataJson is not { } json)
        {
            return null;
        }

        try
        {
            var element = JsonElement.Parse(json, new JsonDocumentOptions { MaxDepth = JsonBody.MaxDepth });
            if (element.ValueKind == JsonValueKind.Object
                && (json.Length <= CanonicalJson.MaxIntegerDigits || CanonicalJson.UnreadableIntegerDigits(element) == 0))
            {
                return element;
            }
        }
        catch (JsonException)
        {
        }

        EntitlementEventDtoLog.LogUnreadablePlatformData(logger, record.EventId);
        return null;
    }
}
