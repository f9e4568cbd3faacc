using Entitlements.Contracts;

namespace Entitlements.Tests.Ledger;

/// <summary>Catalog entries for ledger tests, with distinct loot ids per action.</summary>
internal static class TestCatalog
{
    public const long GrantLootId = 1001;
    public const long RefundLootId = 1002;
    public const long ChargebackLootId = 1003;
    public const long ChargebackReversalLootId = 1004;

    public static CatalogSku Consumable(RevocationPolicy policy = RevocationPolicy.RevokeOrReport, long unitsPerQuantity = 1) => new()
    {
        Platform = Platform.Steam,
        Sku = "gems-pack",
        EntitlementType = EntitlementType.Consumable,
        ItemId = "gems",
        ItemName = "Gems",
        ItemClass = "currency",
        UnitsPerQuantity = unitsPerQuantity,
        RevocationPolicy = policy,
        LootId = GrantLootId,
        RefundLootId = RefundLootId,
        ChargebackLootId = ChargebackLootId,
        ChargebackReversalLootId = ChargebackReversalLootId,
        Revision = 1,
    };

    public static CatalogSku Durable(RevocationPolicy policy = RevocationPolicy.RevokeOrReport) => new()
    {
        Platform = Platform.Steam,
        Sku = "season-pass",
        EntitlementType = EntitlementType.Durable,
        ItemId = "season-pass-1",
        ItemName = "Season Pass 1",
        Clazz = EntitlementClazz.Subscription,
        RevocationPolicy = policy,
        LootId = GrantLootId,
        RefundLootId = RefundLootId,
        ChargebackLootId = ChargebackLootId,
        ChargebackReversalLootId = ChargebackReversalLootId,
        Revision = 1,
    };

    public static CatalogSku DurableSingleUse() => new()
    {
        Platform = Platform.Steam,
        Sku = "starter-kit",
        EntitlementType = EntitlementType.DurableSingleUse,
        ItemId = "starter-kit",
        ItemName = "Starter Kit",
        LootId = GrantLootId,
        RefundLootId = RefundLootId,
        ChargebackLootId = ChargebackLootId,
        ChargebackReversalLootId = ChargebackReversalLootId,
        Revision = 1,
    };
}
