using System.Text.Json.Nodes;

namespace Entitlements.Tests.Infrastructure;

/// <summary>What one of a player's entitlements (AccelByte's <c>EntitlementInfo</c>) must say, field by field.</summary>
internal sealed record ExpectedEntitlement
{
    /// <summary>The event that first created the holding; the entitlement id is it in 32 hex digits.</summary>
    public required string FirstEventId { get; init; }
    public required Player Player { get; init; }
    public required string ItemId { get; init; }
    public required string Name { get; init; }
    public required string Sku { get; init; }
    public required bool Consumable { get; init; }
    public string Clazz { get; init; } = "ENTITLEMENT";
    public required string Status { get; init; }
    public required long UseCount { get; init; }

    /// <summary>AccelByte times (milliseconds, Z).</summary>
    public required string GrantedAt { get; init; }
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }

    public JsonObject ToJson() => new()
    {
        ["id"] = Guid.Parse(FirstEventId).ToString("N"),
        ["namespace"] = "game",
        ["clazz"] = Clazz,
        ["type"] = Consumable ? "CONSUMABLE" : "DURABLE",
        ["status"] = Status,
        ["sku"] = Sku,
        ["userId"] = Player.Uuid.ToString("N"),
        ["itemId"] = ItemId,
        ["itemNamespace"] = "game",
        ["name"] = Name,
        ["useCount"] = UseCount,
        ["source"] = "PURCHASE",
        ["startDate"] = null,
        ["endDate"] = null,
        ["grantedAt"] = GrantedAt,
        ["createdAt"] = CreatedAt,
        ["updatedAt"] = UpdatedAt,
        ["collectionId"] = null,
        ["stackable"] = Consumable,
        ["stackedUseCount"] = Consumable ? UseCount : null,
    };
}
