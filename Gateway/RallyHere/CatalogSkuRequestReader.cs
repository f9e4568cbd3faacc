using System.Text.Json;
using Entitlements.Catalog;
using Entitlements.Contracts;
using Entitlements.Gateway.Validation;

namespace Entitlements.Gateway.RallyHere;

/// <summary>
/// Validates the body of our catalog PUT (an entry in the shape RallyHere's catalog GET answers) and turns it
/// into a <see cref="CatalogSku"/>.
/// </summary>
public static class CatalogSkuRequestReader
{
    /// <summary>
    /// The largest body taken: an event's (<see cref="EntitlementEventRequestReader.MaxBodyBytes"/>).
    /// <c>custom_data</c> (unbounded in RallyHere's schema) gets the room an event's <c>platform_data</c> has;
    /// the other fields need less than a tenth of it. Its own bound, <see cref="CatalogSku.MaxCustomDataBytes"/>,
    /// is as large as this, so it refuses no body this route takes.
    /// </summary>
    public const int MaxBodyBytes = EntitlementEventRequestReader.MaxBodyBytes;

    /// <summary>
    /// The entry, or null with its problems in <paramref name="errors"/>. The body names the same platform and SKU
    /// as the path, or leaves them out.
    /// </summary>
    public static CatalogSku? Read(JsonElement body, Platform platform, string sku, List<ValidationErrorDetail> errors)
    {
        var fields = new JsonFieldReader(body, ["body"], errors);
        var bodyPlatform = fields.Enum<Platform>("platform", required: false);
        var bodySku = fields.Text("sku", required: false, maxLength: CatalogSku.MaxSkuLength);
        var customData = fields.StringMap("custom_data");
        var loot = fields.Nested("loot_entitlement", required: true);
        var type = loot?.Enum<EntitlementType>("type", required: true);
        var lootId = loot?.WholeNumber("loot_id", required: true, CatalogSku.MinLootId, CatalogSku.MaxLootId);
        var refundLootId = loot?.WholeNumber("refund_loot_id", required: false, CatalogSku.MinLootId, CatalogSku.MaxLootId);
        var chargebackLootId = loot?.WholeNumber("chargeback_loot_id", required: false, CatalogSku.MinLootId, CatalogSku.MaxLootId);
        var reversalLootId = loot?.WholeNumber("chargeback_reversal_loot_id", required: false, CatalogSku.MinLootId, CatalogSku.MaxLootId);
        var itemId = fields.Text("item_id", required: true, maxLength: CatalogSku.MaxTextLength, minLength: 1);
        var itemName = fields.Text("item_name", required: true, maxLength: CatalogSku.MaxTextLength, minLength: 1);
        var itemClass = fields.Text("item_class", required: false, maxLength: CatalogSku.MaxTextLength);
        var clazz = fields.Enum<EntitlementClazz>("clazz", required: false);
        var units = fields.WholeNumber("units_per_quantity", required: false, 1, CatalogSku.MaxUnitsPerQuantity);
        var policy = fields.Enum<RevocationPolicy>("revocation_policy", required: false);
        var productId = fields.Text("platform_product_id", required: false, maxLength: CatalogSku.MaxTextLength);
        if (bodyPlatform is { } p && p != platform)
        {
            errors.Add(new ValidationErrorDetail(["body", "platform"], "Must match the platform in the path", "value_error"));
        }

        if (bodySku is not null && bodySku != sku)
        {
            errors.Add(new ValidationErrorDetail(["body", "sku"], "Must match the SKU in the path", "value_error"));
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var entry = new CatalogSku
        {
            Platform = platform,
            Sku = sku,
            EntitlementType = type!.Value,
            ItemId = itemId!,
            ItemName = itemName!,
            ItemClass = itemClass,
            Clazz = clazz ?? CatalogSku.DefaultClazz,
            UnitsPerQuantity = units ?? CatalogSku.DefaultUnitsPerQuantity,
            RevocationPolicy = policy ?? CatalogSku.DefaultRevocationPolicy,
            PlatformProductId = productId,
            CustomData = customData ?? [],
            LootId = lootId,
            RefundLootId = refundLootId,
            ChargebackLootId = chargebackLootId,
            ChargebackReversalLootId = reversalLootId,
        };

        // The rules of every catalog entry, which the grain and the seed file apply too. The fields above answer
        // each in pydantic's words first, so this adds nothing unless a rule is added there and not here: then
        // the entry is still a 422, not a 500 from the grain's refusal.
        foreach (var problem in entry.Problems())
        {
            errors.Add(new ValidationErrorDetail(
                [problem.Field[0] is "platform" or "sku" ? "path" : "body", .. problem.Field],
                $"Value error, {string.Join('.', problem.Field)} {problem.Description}",
                "value_error"));
        }

        return errors.Count > 0 ? null : entry;
    }
}
