using System.Text.Json.Serialization;
using Entitlements.Contracts;

namespace Entitlements.Catalog;

/// <summary>
/// A catalog entry as JSON: RallyHere's <c>PlatformSKU</c> (<c>platform</c>, <c>sku</c>,
/// <c>custom_data</c>, <c>loot_entitlement</c>) plus the fields this system needs to grant an item.
/// The seed file holds an array of these; the catalog API reads and writes them.
/// </summary>
public sealed record CatalogSkuDocument
{
    [JsonPropertyName("platform")] public required string Platform { get; init; }
    [JsonPropertyName("sku")] public required string Sku { get; init; }
    [JsonPropertyName("custom_data")] public Dictionary<string, string> CustomData { get; init; } = [];
    [JsonPropertyName("loot_entitlement")] public required LootEntitlementDocument LootEntitlement { get; init; }
    [JsonPropertyName("item_id")] public required string ItemId { get; init; }
    [JsonPropertyName("item_name")] public required string ItemName { get; init; }
    [JsonPropertyName("item_class")] public string? ItemClass { get; init; }
    [JsonPropertyName("clazz")] public string Clazz { get; init; } = WireNames<EntitlementClazz>.Of(CatalogSku.DefaultClazz);
    [JsonPropertyName("units_per_quantity")] public long UnitsPerQuantity { get; init; } = CatalogSku.DefaultUnitsPerQuantity;
    [JsonPropertyName("revocation_policy")] public string RevocationPolicy { get; init; } = WireNames<RevocationPolicy>.Of(CatalogSku.DefaultRevocationPolicy);
    [JsonPropertyName("platform_product_id")] public string? PlatformProductId { get; init; }
    [JsonPropertyName("revision")] public long Revision { get; init; }

    public static CatalogSkuDocument From(CatalogSku sku)
    {
        ArgumentNullException.ThrowIfNull(sku);
        return new CatalogSkuDocument
        {
            Platform = WireNames<Platform>.Of(sku.Platform),
            Sku = sku.Sku,
            CustomData = new Dictionary<string, string>(sku.CustomData),
            LootEntitlement = new LootEntitlementDocument
            {
                Type = WireNames<EntitlementType>.Of(sku.EntitlementType),
                LootId = sku.LootId ?? 0,
                RefundLootId = sku.RefundLootId,
                ChargebackLootId = sku.ChargebackLootId,
                ChargebackReversalLootId = sku.ChargebackReversalLootId,
            },
            ItemId = sku.ItemId,
            ItemName = sku.ItemName,
            ItemClass = sku.ItemClass,
            Clazz = WireNames<EntitlementClazz>.Of(sku.Clazz),
            UnitsPerQuantity = sku.UnitsPerQuantity,
            RevocationPolicy = WireNames<RevocationPolicy>.Of(sku.RevocationPolicy),
            PlatformProductId = sku.PlatformProductId,
            Revision = sku.Revision,
        };
    }

    /// <summary>The entry, or the first problem with it (<see cref="CatalogSku.Problems"/> once it is read), as a <see cref="FormatException"/> naming the field.</summary>
    public CatalogSku ToCatalogSku()
    {
        static T Parse<T>(string text, string field) where T : struct, Enum =>
            WireNames<T>.TryParse(text, out var value)
                ? value
                : throw new FormatException($"{field}: '{text}' is not one of {string.Join(", ", WireNames<T>.All)}.");

        // A JSON null passes the required-member check of the deserializer: each is refused here by name.
        if (LootEntitlement is null)
        {
            throw new FormatException("loot_entitlement must not be null.");
        }

        foreach (var (field, value) in new (string, object?)[]
        {
            ("platform", Platform), ("sku", Sku), ("loot_entitlement.type", LootEntitlement.Type),
            ("item_id", ItemId), ("item_name", ItemName), ("clazz", Clazz), ("revocation_policy", RevocationPolicy), ("custom_data", CustomData),
        })
        {
            if (value is null)
            {
                throw new FormatException($"{field} must not be null.");
            }
        }

        if (CustomData.FirstOrDefault(pair => pair.Value is null) is { Key: { } nullKey })
        {
            throw new FormatException($"custom_data.{nullKey} must be a string, not null.");
        }

        if (!LootEntitlement.HasLootId)
        {
            throw new FormatException("loot_entitlement.loot_id is required: an entry has the loot id of its grants.");
        }

        var sku = new CatalogSku
        {
            Platform = Parse<Platform>(Platform, "platform"),
            Sku = Sku,
            EntitlementType = Parse<EntitlementType>(LootEntitlement.Type, "loot_entitlement.type"),
            ItemId = ItemId,
            ItemName = ItemName,
            ItemClass = ItemClass,
            Clazz = Parse<EntitlementClazz>(Clazz, "clazz"),
            UnitsPerQuantity = UnitsPerQuantity,
            RevocationPolicy = Parse<RevocationPolicy>(RevocationPolicy, "revocation_policy"),
            PlatformProductId = PlatformProductId,
            CustomData = CustomData,
            LootId = LootEntitlement.LootId,
            RefundLootId = LootEntitlement.RefundLootId,
            ChargebackLootId = LootEntitlement.ChargebackLootId,
            ChargebackReversalLootId = LootEntitlement.ChargebackReversalLootId,
            Revision = Revision,
        };
        // The rules of every catalog entry (the route's and the grain's too), named by the file's field.
        if (sku.Problems().FirstOrDefault() is { } problem)
        {
            throw new FormatException($"{string.Join('.', problem.Field)} {problem.Description}");
        }

        return sku;
    }
}
