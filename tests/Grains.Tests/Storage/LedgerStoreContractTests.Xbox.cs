using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Storage;

namespace Entitlements.Tests.Storage;

/// <summary>The store contract, continued: what the Xbox consume keeps (started consumes, product lookups, the ticket key).</summary>
public abstract partial class LedgerStoreContractTests
{
    [Fact]
    public async Task ReadPendingXboxConsumesAsync_StartedConsumes_ArePendingUntilTheirGrant()
    {
        var player = Guid.NewGuid();
        var first = Started("tracking-1");
        var second = Started("tracking-2");
        await AppendOkAsync(StartedEvent(player, 1, first));
        await AppendOkAsync(StartedEvent(player, 2, second));
        await AppendOkAsync(StoredEvents.Entitlement(player, 3, "tracking-1", platform: Platform.XboxLive));

        var pending = await Store.ReadPendingXboxConsumesAsync(first.Xuid);

        Assert.Equal([second], pending);
        Assert.Empty(await Store.ReadPendingXboxConsumesAsync("2535400000000002"));
    }

    [Fact]
    public async Task ReadPendingXboxConsumesAsync_XuidStartedConsumesInTwoPlayersLedgers_FindsBothOldestFirst()
    {
        // The XUID was linked to one player, then moved to another: its consumes are the XUID's.
        var (before, after) = (Guid.NewGuid(), Guid.NewGuid());
        var first = Started("tracking-5", "2535400000000005");
        var second = Started("tracking-6", "2535400000000005");
        var otherXuid = Started("tracking-7", "2535400000000006");
        await AppendOkAsync(StartedEvent(before, 1, first));
        await AppendOkAsync(StartedEvent(after, 1, otherXuid));
        await AppendOkAsync(StartedEvent(after, 2, second));

        var pending = await Store.ReadPendingXboxConsumesAsync("2535400000000005");

        Assert.Equal([first, second], pending);
        await AppendOkAsync(StoredEvents.Entitlement(after, 3, "tracking-5", platform: Platform.XboxLive));
        Assert.Equal([second], await Store.ReadPendingXboxConsumesAsync("2535400000000005"));
    }

    [Fact]
    public async Task AppendAsync_XboxConsumeStarted_ReadsBackAndIsNoEntitlementEvent()
    {
        var player = Guid.NewGuid();
        var started = StartedEvent(player, 1, Started("tracking-3"));
        await AppendOkAsync(started);

        var events = await Store.ReadPlayerEventsAsync(player, 0, 10);

        var read = Assert.Single(events);
        Assert.Equal(started with { Sequence = read.Sequence }, read);
        Assert.Empty(await Store.ReadPlayerEntitlementEventsAsync(player, 0, 10));
        Assert.DoesNotContain(await Store.ReadAllEntitlementEventsAsync(0, 1000), e => e.EventId == started.EventId);
        Assert.Empty(await Store.ReadTransactionAsync(Platform.XboxLive, "tracking-3"));
    }

    [Fact]
    public void Fold_XboxConsumeStarted_ChangesOnlyTheVersion()
    {
        var state = LedgerFold.Apply(LedgerState.Empty, StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-1"));

        var after = LedgerFold.Apply(state, StartedEvent(Guid.NewGuid(), 2, Started("tracking-4")));

        Assert.Equal(2, after.Version);
        Assert.Equal(state.Items, after.Items);
    }

    /// <summary>
    /// A stored entry whose custom data holds a NUL (written before NUL was refused, or by a caller that
    /// skips the checks) is read back as written and does not stop the other products from being found.
    /// PostgreSQL's jsonb cannot hold the NUL escape, so casting that one row failed every lookup.
    /// </summary>
    [Fact]
    public async Task ReadCatalogSkuByProductIdAsync_AnotherEntryHoldsNul_StillFindsTheProduct()
    {
        var withNul = XboxGems("gems-nul", "9PRODUCTNUL") with { CustomData = new Dictionary<string, string> { ["note"] = "a\0b" } };
        var clean = XboxGems("gems-clean", "9PRODUCTOK");
        await Store.WriteCatalogSkuAsync(withNul);
        await Store.WriteCatalogSkuAsync(clean);

        Assert.Equal(clean with { Revision = 1 }, await Store.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCTOK"), new CatalogComparer());
        Assert.Equal("a\0b", (await Store.ReadCatalogSkuAsync(Platform.XboxLive, "gems-nul"))!.CustomData["note"]);
    }

    [Fact]
    public async Task ReadCatalogSkuByProductIdAsync_MappedProduct_ReturnsItsEntry()
    {
        var entry = XboxGems("gems-xbox", "9PRODUCT0001");
        await Store.WriteCatalogSkuAsync(entry);

        Assert.Equal(entry with { Revision = 1 }, await Store.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCT0001"), new CatalogComparer());
        Assert.Null(await Store.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCT0002"));
        Assert.Null(await Store.ReadCatalogSkuByProductIdAsync(Platform.Steam, "9PRODUCT0001"));
    }

    [Fact]
    public async Task ReadSessionTicketKeyAsync_CalledTwice_ReturnsTheSameKey()
    {
        var first = await Store.ReadSessionTicketKeyAsync();
        var second = await Store.ReadSessionTicketKeyAsync();

        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
        Assert.NotEqual(first, await Store.ReadCursorKeyAsync());
    }

    private async Task AppendOkAsync(LedgerEvent ledgerEvent)
    {
        var (outcome, _) = await Store.AppendAsync(ledgerEvent);
        Assert.Equal(AppendOutcome.Appended, outcome);
    }

    private static XboxConsumeStarted Started(string trackingId, string xuid = "2535400000000001") => new()
    {
        TrackingId = trackingId,
        Xuid = xuid,
        XboxItemId = "item-" + trackingId,
        ProductId = "9NBLGGH4R2R6",
        ProductKind = "Consumable",
        Sku = "9NBLGGH4R2R6",
        Quantity = 3,
    };

    private static LedgerEvent StartedEvent(Guid player, long version, XboxConsumeStarted started) => new()
    {
        EventId = Guid.NewGuid().ToString("D"),
        Kind = LedgerEventKind.XboxConsumeStarted,
        PlayerUuid = player,
        Version = version,
        Created = StoredEvents.At,
        XboxConsume = started,
    };

    /// <summary>Catalog entries compare by value, their custom data by content.</summary>
    private sealed class CatalogComparer : IEqualityComparer<CatalogSku?>
    {
        public bool Equals(CatalogSku? x, CatalogSku? y) =>
            x is not null && y is not null && x with { CustomData = y.CustomData } == y && x.CustomData.SequenceEqual(y.CustomData);

        public int GetHashCode(CatalogSku? obj) => obj?.Sku.GetHashCode(StringComparison.Ordinal) ?? 0;
    }

    private static CatalogSku XboxGems(string sku, string productId) => new()
    {
        Platform = Platform.XboxLive,
        Sku = sku,
        EntitlementType = EntitlementType.Consumable,
        ItemId = "gems",
        ItemName = "Gems",
        PlatformProductId = productId,
    };
}
