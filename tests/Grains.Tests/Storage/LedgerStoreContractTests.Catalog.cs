using Entitlements.Contracts;
using Entitlements.Storage;

namespace Entitlements.Tests.Storage;

/// <summary>Catalog writes' conditions: the precondition on the stored revision, checked in the write's transaction.</summary>
public abstract partial class LedgerStoreContractTests
{
    private static readonly CatalogPrecondition IfRevisionOne = new() { IfMatch = new CatalogRevisions { Revisions = [1] } };

    [Fact]
    public async Task WriteCatalogSkuAsync_IfMatchStaleRevision_WritesNothingAndReturnsTheStoredEntry()
    {
        var stored = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Gems"));
        await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Edited"));

        var result = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Stale"), IfRevisionOne);

        Assert.Equal(CatalogWriteOutcome.PreconditionFailed, result.Outcome);
        Assert.Equal(stored with { ItemName = "Edited", Revision = 2, CustomData = result.Entry!.CustomData }, result.Entry);
        var read = await Store.ReadCatalogSkuAsync(Platform.Steam, "gems-pack");
        Assert.Equal(("Edited", 2L), (read!.ItemName, read.Revision));
    }

    [Fact]
    public async Task WriteCatalogSkuAsync_IfMatchOrIfNoneMatch_AgreeWithTheStoredRevision()
    {
        var any = new CatalogRevisions { Any = true };
        var missingIfMatchAny = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Gems"), new CatalogPrecondition { IfMatch = any });
        var created = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Gems"), new CatalogPrecondition { IfNoneMatch = any });
        var existingIfNoneMatchAny = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Again"), new CatalogPrecondition { IfNoneMatch = any });
        var matching = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Edited"), IfRevisionOne);
        var existingIfMatchAny = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Edited again"), new CatalogPrecondition { IfMatch = any });

        Assert.Equal((CatalogWriteOutcome.PreconditionFailed, (CatalogSku?)null), (missingIfMatchAny.Outcome, missingIfMatchAny.Entry));
        Assert.Equal((CatalogWriteOutcome.Written, 1L), (created.Outcome, created.Entry!.Revision));
        Assert.Equal((CatalogWriteOutcome.PreconditionFailed, "Gems", 1L), (existingIfNoneMatchAny.Outcome, existingIfNoneMatchAny.Entry!.ItemName, existingIfNoneMatchAny.Entry.Revision));
        Assert.Equal((CatalogWriteOutcome.Written, "Edited", 2L), (matching.Outcome, matching.Entry!.ItemName, matching.Entry.Revision));
        Assert.Equal((CatalogWriteOutcome.Written, 3L), (existingIfMatchAny.Outcome, existingIfMatchAny.Entry!.Revision));
    }

    [Fact]
    public async Task WriteCatalogSkuAsync_ConcurrentWritesFromTwoStoresIfMatchTheSameRevision_OnlyOneIsWritten()
    {
        // As two silos would: each write reads the revision and upserts; only one of them may see revision 1.
        await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Gems"));
        var other = await OpenAsync();
        await other.InitializeAsync();
        try
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
                (i % 2 == 0 ? Store : other).WriteCatalogSkuAsync(CatalogEntry("gems-pack", $"Writer {i}"), IfRevisionOne)));

            var written = Assert.Single(results, result => result.Outcome == CatalogWriteOutcome.Written);
            Assert.All(results.Where(result => result != written), result => Assert.Equal(CatalogWriteOutcome.PreconditionFailed, result.Outcome));
            var read = await Store.ReadCatalogSkuAsync(Platform.Steam, "gems-pack");
            Assert.Equal((written.Entry!.ItemName, 2L), (read!.ItemName, read.Revision));
        }
        finally
        {
            await CloseAsync(other);
        }
    }

    [Fact]
    public async Task WriteCatalogSkuAsync_ItemMappedAsAnotherTypeOnAnyPlatform_IsRefusedNamingTheOtherEntry()
    {
        var gems = await Store.WriteCatalogSkuAsync(Item(Platform.XboxLive, "gems-100", "gems", EntitlementType.Consumable));

        var badge = await Store.WriteCatalogSkuAsync(Item(Platform.Steam, "gems-badge", "gems", EntitlementType.Durable), CatalogPrecondition.None);
        var sameType = await Store.WriteCatalogSkuAsync(Item(Platform.Steam, "gems-500", "gems", EntitlementType.Consumable), CatalogPrecondition.None);
        var retyped = await Store.WriteCatalogSkuAsync(Item(Platform.XboxLive, "gems-100", "gems", EntitlementType.Durable), CatalogPrecondition.None);

        Assert.Equal((CatalogWriteOutcome.ItemTypeConflict, (CatalogSku?)null, gems.Sku), (badge.Outcome, badge.Entry, badge.Conflicting!.Sku));
        Assert.Null(await Store.ReadCatalogSkuAsync(Platform.Steam, "gems-badge"));
        Assert.Equal(CatalogWriteOutcome.Written, sameType.Outcome);
        // The entry itself may not change the type either while another entry maps the item: it is refused, left at revision 1.
        Assert.Equal((CatalogWriteOutcome.ItemTypeConflict, 1L, "gems-500"), (retyped.Outcome, retyped.Entry!.Revision, retyped.Conflicting!.Sku));
    }

    /// <summary>
    /// The SKU's own stored entry counts: holdings may have been granted under its type, and units of another type
    /// granted into them would be kept under the old one. Only a new item id takes a new type.
    /// </summary>
    [Fact]
    public async Task WriteCatalogSkuAsync_OnlyEntryOfItsItemKeepsTheItemIdAndChangesTheType_IsRefusedNamingItself()
    {
        await Store.WriteCatalogSkuAsync(Item(Platform.Steam, "sword", "sword-item", EntitlementType.Durable));

        var retyped = await Store.WriteCatalogSkuAsync(Item(Platform.Steam, "sword", "sword-item", EntitlementType.Consumable), CatalogPrecondition.None);
        var renamed = await Store.WriteCatalogSkuAsync(Item(Platform.Steam, "sword", "sword-item", EntitlementType.Durable) with { ItemName = "Blade" }, CatalogPrecondition.None);
        var newItem = await Store.WriteCatalogSkuAsync(Item(Platform.Steam, "sword", "sword-charges", EntitlementType.Consumable), CatalogPrecondition.None);

        Assert.Equal(
            (CatalogWriteOutcome.ItemTypeConflict, 1L, Platform.Steam, "sword", EntitlementType.Durable),
            (retyped.Outcome, retyped.Entry!.Revision, retyped.Conflicting!.Platform, retyped.Conflicting.Sku, retyped.Conflicting.EntitlementType));
        Assert.Equal((CatalogWriteOutcome.Written, 2L), (renamed.Outcome, renamed.Entry!.Revision));
        Assert.Equal((CatalogWriteOutcome.Written, 3L, EntitlementType.Consumable), (newItem.Outcome, newItem.Entry!.Revision, newItem.Entry.EntitlementType));
        var read = await Store.ReadCatalogSkuAsync(Platform.Steam, "sword");
        Assert.Equal(("sword-charges", EntitlementType.Consumable, 3L), (read!.ItemId, read.EntitlementType, read.Revision));
    }

    [Fact]
    public async Task WriteCatalogSkuAsync_XboxProductIdOfAnotherXboxEntry_IsRefusedNamingIt()
    {
        await Store.WriteCatalogSkuAsync(Product(Platform.XboxLive, "gems-b", "9PRODUCT"));

        var second = await Store.WriteCatalogSkuAsync(Product(Platform.XboxLive, "gems-a", "9PRODUCT"), CatalogPrecondition.None);
        var again = await Store.WriteCatalogSkuAsync(Product(Platform.XboxLive, "gems-b", "9PRODUCT"), CatalogPrecondition.None);
        var steam = await Store.WriteCatalogSkuAsync(Product(Platform.Steam, "gems-a", "9PRODUCT"), CatalogPrecondition.None);

        Assert.Equal((CatalogWriteOutcome.ProductIdConflict, "gems-b"), (second.Outcome, second.Conflicting!.Sku));
        Assert.Null(await Store.ReadCatalogSkuAsync(Platform.XboxLive, "gems-a"));
        Assert.Equal("gems-b", (await Store.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCT"))!.Sku);
        Assert.Equal((CatalogWriteOutcome.Written, 2L), (again.Outcome, again.Entry!.Revision));
        Assert.Equal(CatalogWriteOutcome.Written, steam.Outcome);
    }

    [Fact]
    public async Task WriteCatalogSkuAsync_ConcurrentEntriesOfOneItemWithTwoTypesFromTwoStores_OnlyOneTypeIsWritten()
    {
        var other = await OpenAsync();
        await other.InitializeAsync();
        try
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? Store : other).WriteCatalogSkuAsync(
                Item(Platform.Steam, $"sku-{i}", "gems", i % 2 == 0 ? EntitlementType.Consumable : EntitlementType.Durable), CatalogPrecondition.None)));

            var types = results.Where(result => result.Outcome == CatalogWriteOutcome.Written).Select(result => result.Entry!.EntitlementType).Distinct();
            Assert.Single(types);
            Assert.All(results, result => Assert.True(
                result.Outcome is CatalogWriteOutcome.Written or CatalogWriteOutcome.ItemTypeConflict, $"Unexpected outcome {result.Outcome}"));
            Assert.Contains(results, result => result.Outcome == CatalogWriteOutcome.ItemTypeConflict);
        }
        finally
        {
            await CloseAsync(other);
        }
    }

    [Fact]
    public async Task SeedCatalogAsync_NewEntryMappingAnItemAsAnotherType_ThrowsAndSeedsNothing()
    {
        await Store.WriteCatalogSkuAsync(Item(Platform.Steam, "gems-100", "gems", EntitlementType.Consumable));

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => Store.SeedCatalogAsync(
            [Item(Platform.Steam, "coins-100", "coins", EntitlementType.Consumable), Item(Platform.PSN, "gems-badge", "gems", EntitlementType.Durable)]));
        var alreadyStored = await Store.SeedCatalogAsync([Item(Platform.Steam, "gems-100", "gems", EntitlementType.Durable)]);

        Assert.Equal(
            "Item 'gems' is mapped as Consumable by catalog entry Steam/gems-100; PSN/gems-badge cannot map it as Durable.",
            refused.Message);
        Assert.Null(await Store.ReadCatalogSkuAsync(Platform.Steam, "coins-100"));
        Assert.Null(await Store.ReadCatalogSkuAsync(Platform.PSN, "gems-badge"));
        // An entry the database has is left alone, unchecked, as before.
        Assert.Equal(0, alreadyStored);
    }

    /// <summary>
    /// A new seeded XboxLive entry whose product id another entry has (stored, or earlier in the seed) is refused as
    /// a PUT of it is, and nothing is seeded. It used to be stored: the Xbox consume maps a product to one entry, so
    /// one of the two was never used, and a PUT of either was refused from then on.
    /// </summary>
    [Fact]
    public async Task SeedCatalogAsync_NewXboxEntryWithAnotherEntrysProductId_ThrowsAndSeedsNothing()
    {
        await Store.WriteCatalogSkuAsync(Product(Platform.XboxLive, "skin", "9PRODUCT"));

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => Store.SeedCatalogAsync(
            [Product(Platform.XboxLive, "hat", "9HAT"), Product(Platform.XboxLive, "skin-again", "9PRODUCT")]));
        var withinTheSeed = await Assert.ThrowsAsync<InvalidDataException>(() => Store.SeedCatalogAsync(
            [Product(Platform.XboxLive, "cape", "9CAPE"), Product(Platform.XboxLive, "cape-again", "9CAPE")]));
        var otherPlatform = await Store.SeedCatalogAsync([Product(Platform.Steam, "skin-on-steam", "9PRODUCT")]);

        Assert.Equal(
            "Platform product id '9PRODUCT' is already that of catalog entry XboxLive/skin; XboxLive/skin-again cannot have it too.",
            refused.Message);
        Assert.Equal(
            "Platform product id '9CAPE' is already that of catalog entry XboxLive/cape; XboxLive/cape-again cannot have it too.",
            withinTheSeed.Message);
        Assert.Null(await Store.ReadCatalogSkuAsync(Platform.XboxLive, "hat"));
        Assert.Null(await Store.ReadCatalogSkuAsync(Platform.XboxLive, "skin-again"));
        Assert.Null(await Store.ReadCatalogSkuAsync(Platform.XboxLive, "cape"));
        // Only XboxLive product ids are one entry's, as for a PUT.
        Assert.Equal(1, otherPlatform);
    }

    private static CatalogSku Item(Platform platform, string sku, string itemId, EntitlementType type) =>
        CatalogEntry(sku, sku) with { Platform = platform, ItemId = itemId, EntitlementType = type };

    private static CatalogSku Product(Platform platform, string sku, string productId) =>
        CatalogEntry(sku, sku) with { Platform = platform, PlatformProductId = productId };
}
