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

    /// <summary>The exact JSON: <c>startDate</c>, <c>endDate</c> and <c>collectionId</c> have no value and are left out, and so is a durable's <c>stackedUseCount</c>.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
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
            ["grantedAt"] = GrantedAt,
            ["createdAt"] = CreatedAt,
            ["updatedAt"] = UpdatedAt,
            ["stackable"] = Consumable,
        };
        if (Consumable)
        {
            json["stackedUseCount"] = UseCount;
        }

        return json;
    }
}
