using Entitlements.Contracts;

namespace Entitlements.Storage;

/// <summary>
/// What a catalog entry must agree on with the others, checked by each store in the write's transaction:
/// <list type="bullet">
/// <item>an item id has one entitlement type across the whole catalog (every platform): the ledger keeps the
/// type a holding was first granted with, so a consumable's units granted into a durable holding could never
/// be consumed. The entry's own stored version counts as well as the others': a write that keeps the item id
/// cannot change its type either, since holdings granted under the old type may exist (a new type takes a new
/// item id);</item>
/// <item>an XboxLive platform product id belongs to one entry: the Xbox consume maps a product to the first
/// entry by SKU, and a second entry with the same id would never be used.</item>
/// </list>
/// Entries that disagreed before these checks existed stay as they are; only writes are refused.
/// </summary>
internal static class CatalogRules
{
    /// <summary>The first of <paramref name="sameItem"/> (the stored entries of the item, the SKU's own included, in order) with another type.</summary>
    public static CatalogSku? ItemTypeConflict(CatalogSku sku, IEnumerable<CatalogSku> sameItem) =>
        sameItem.FirstOrDefault(other => other.EntitlementType != sku.EntitlementType);

    /// <summary>Whether the entry's product id must be its own on its platform.</summary>
    public static bool HasUniqueProductId(CatalogSku sku) => sku.Platform == Platform.XboxLive && sku.PlatformProductId is not null;
}
