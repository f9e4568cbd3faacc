using System.Text.Json.Serialization;
using Entitlements.Contracts;

namespace Entitlements.Gateway.AccelByte;

/// <summary>
/// AccelByte's <c>EntitlementInfo</c>: field names and enum spellings as AccelByte's platform service
/// has them. Ids are written as 32 hex digits, as AccelByte writes its own.
/// </summary>
public sealed record EntitlementInfo
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("namespace")] public required string Namespace { get; init; }
    [JsonPropertyName("clazz")] public required string Clazz { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }
    [JsonPropertyName("sku")] public string? Sku { get; init; }
    [JsonPropertyName("userId")] public required string UserId { get; init; }
    [JsonPropertyName("itemId")] public required string ItemId { get; init; }
    [JsonPropertyName("itemNamespace")] public required string ItemNamespace { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("useCount")] public required long UseCount { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("startDate")] public string? StartDate { get; init; }
    [JsonPropertyName("endDate")] public string? EndDate { get; init; }
    [JsonPropertyName("grantedAt")] public required string GrantedAt { get; init; }
    [JsonPropertyName("createdAt")] public required string CreatedAt { get; init; }
    [JsonPropertyName("updatedAt")] public required string UpdatedAt { get; init; }
    [JsonPropertyName("collectionId")] public string? CollectionId { get; init; }
    [JsonPropertyName("stackable")] public required bool Stackable { get; init; }
    [JsonPropertyName("stackedUseCount")] public long? StackedUseCount { get; init; }

    public static EntitlementInfo From(PlayerEntitlement entitlement, string ns)
    {
        ArgumentNullException.ThrowIfNull(entitlement);
        var consumable = entitlement.Type == EntitlementType.Consumable;
        return new EntitlementInfo
        {
            Id = Guid.TryParse(entitlement.EntitlementId, out var id) ? id.ToString("N") : entitlement.EntitlementId,
            Namespace = ns,
            Clazz = WireNames<EntitlementClazz>.Of(entitlement.Clazz),
            Type = consumable ? "CONSUMABLE" : "DURABLE",
            Status = WireNames<EntitlementStatus>.Of(entitlement.Status),
            Sku = entitlement.Sku,
            UserId = entitlement.PlayerUuid.ToString("N"),
            ItemId = entitlement.ItemId,
            ItemNamespace = ns,
            Name = entitlement.Name,
            UseCount = entitlement.UseCount,
            Source = "PURCHASE",
            GrantedAt = AccelByteTime.Format(entitlement.GrantedAt),
            CreatedAt = AccelByteTime.Format(entitlement.CreatedAt),
            UpdatedAt = AccelByteTime.Format(entitlement.UpdatedAt),
            Stackable = consumable,
            StackedUseCount = consumable ? entitlement.UseCount : null,
        };
    }
}
