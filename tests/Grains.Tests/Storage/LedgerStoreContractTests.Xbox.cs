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

        // Each with the time its started row was recorded.
        Assert.Equal([new PendingXboxConsume(second, StoredEvents.At)], pending);
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

        Assert.Equal([first, second], Consumes(pending));
        await AppendOkAsync(StoredEvents.Entitlement(after, 3, "tracking-5", platform: Platform.XboxLive));
        Assert.Equal([second], Consumes(await Store.ReadPendingXboxConsumesAsync("2535400000000005")));
    }

    [Fact]
    public async Task ReadPendingXboxConsumesAsync_OtherEventsOfTheTrackingId_OnlyAnXboxLiveGrantFinishesTheConsume()
    {
        var (player, other) = (Guid.NewGuid(), Guid.NewGuid());
        var refunded = Started("tracking-refund");
        var steam = Started("tracking-steam");
        var notApplied = Started("tracking-not-applied");
        var untouched = Started("tracking-untouched");
        await AppendOkAsync(StartedEvent(player, 1, refunded));
        await AppendOkAsync(StartedEvent(player, 2, steam));
        await AppendOkAsync(StartedEvent(player, 3, notApplied));
        await AppendOkAsync(StartedEvent(player, 4, untouched));

        // A refund of the tracking id and a grant of it on another platform are no grant of the consume; a
        // grant recorded as not applied (it would pass 64 bits) is, in whichever player's ledger.
        await AppendOkAsync(StoredEvents.Entitlement(other, 1, "tracking-refund", EntitlementActionType.Refund, Platform.XboxLive));
        await AppendOkAsync(StoredEvents.Entitlement(other, 2, "tracking-steam"));
        var refused = StoredEvents.Entitlement(other, 3, "tracking-not-applied", platform: Platform.XboxLive);
        await AppendOkAsync(refused with
        {
            Effect = null,
            Entitlement = refused.Entitlement! with { Status = EntitlementEventStatus.NotImplemented },
        });

        Assert.Equal([refunded, steam, untouched], Consumes(await Store.ReadPendingXboxConsumesAsync(refunded.Xuid)));
    }

    [Fact]
    public async Task ReadPendingXboxConsumesAsync_ConsumeXboxRefused_IsNoLongerPendingWhoeverRecordedIt()
    {
        // The XUID was linked to one player when the consumes started, to another when Xbox refused one of them.
        var (before, after) = (Guid.NewGuid(), Guid.NewGuid());
        var refused = Started("tracking-refused");
        var untouched = Started("tracking-untouched");
        await AppendOkAsync(StartedEvent(before, 1, refused));
        await AppendOkAsync(StartedEvent(before, 2, untouched));

        // An append the store refuses (its version is taken) leaves the consume pending: the trigger's work goes with it.
        Assert.Equal(AppendOutcome.VersionConflict, (await Store.AppendAsync(RefusedEvent(before, 2, refused))).Outcome);
        Assert.Equal([refused, untouched], Consumes(await Store.ReadPendingXboxConsumesAsync(refused.Xuid)));

        await AppendOkAsync(RefusedEvent(after, 1, refused));

        Assert.Equal([untouched], Consumes(await Store.ReadPendingXboxConsumesAsync(refused.Xuid)));
        // The refusal of a consume that is not pending (refused once more, or never started here) changes nothing.
        await AppendOkAsync(RefusedEvent(after, 2, refused));
        await AppendOkAsync(RefusedEvent(after, 3, Started("tracking-unknown")));
        Assert.Equal([untouched], Consumes(await Store.ReadPendingXboxConsumesAsync(refused.Xuid)));
        await AppendOkAsync(StoredEvents.Entitlement(after, 4, "tracking-untouched", platform: Platform.XboxLive));
        Assert.Empty(await Store.ReadPendingXboxConsumesAsync(refused.Xuid));
    }

    [Fact]
    public async Task AppendAsync_XboxConsumeRefused_ReadsBackAndIsNoEntitlementEventNorNotification()
    {
        var player = Guid.NewGuid();
        var started = StartedEvent(player, 1, Started("tracking-8"));
        var refused = RefusedEvent(player, 2, Started("tracking-8"));
        await AppendOkAsync(started);
        await AppendOkAsync(refused);

        var events = await Store.ReadPlayerEventsAsync(player, 0, 10);

        Assert.Equal(2, events.Count);
        Assert.Equal(refused with { Sequence = events[1].Sequence }, events[1]);
        Assert.Empty(await Store.ReadPlayerEntitlementEventsAsync(player, 0, 10));
        Assert.Empty(await Store.ReadAllEntitlementEventsAsync(0, 1000));
        Assert.Empty(await Store.ReadTransactionAsync(Platform.XboxLive, "tracking-8"));
        Assert.Empty(await Store.ReadNotifyingEventsAsync(player, 0, 10));
        Assert.Empty(await Store.ReadNotifyingEventsAsync(null, 0, 10));
        Assert.Equal(0, await Store.ReadLastNotifyingSequenceAsync());
    }

    [Fact]
    public void Fold_XboxConsumeRefused_ChangesOnlyTheVersion()
    {
        var player = Guid.NewGuid();
        var state = LedgerFold.ApplyAll(LedgerState.Empty, [StoredEvents.Entitlement(player, 1, "tx-1"), StartedEvent(player, 2, Started("tracking-9"))]);

        var after = LedgerFold.Apply(state, RefusedEvent(player, 3, Started("tracking-9")));

        Assert.Equal(3, after.Version);
        Assert.Equal(state.Items, after.Items);
    }

    [Fact]
    public async Task InitializeAsync_VersionNineDatabase_FinishesAPendingConsumeOnTheAppendOfItsRefusal()
    {
        var player = Guid.NewGuid();
        var refused = Started("tracking-refused-after-upgrade");
        var untouched = Started("tracking-pending-after-upgrade");
        await AppendOkAsync(StartedEvent(player, 1, refused));
        await AppendOkAsync(StartedEvent(player, 2, untouched));
        await CloseAsync(await OpenVersionNineAsync());
        var upgraded = await OpenAsync();

        await upgraded.InitializeAsync();

        Assert.Equal("10/10", await ReadSchemaVersionsAsync());
        Assert.Equal([refused, untouched], Consumes(await upgraded.ReadPendingXboxConsumesAsync(refused.Xuid)));
        Assert.Equal(AppendOutcome.Appended, (await upgraded.AppendAsync(RefusedEvent(player, 3, refused))).Outcome);
        Assert.Equal([untouched], Consumes(await upgraded.ReadPendingXboxConsumesAsync(refused.Xuid)));
    }

    [Fact]
    public async Task AppendAsync_BatchWithRefusedStartedConsumesAndGrants_LeavesPendingExactlyWhatWasAppended()
    {
        var (player, other) = (Guid.NewGuid(), Guid.NewGuid());
        var granted = Started("tracking-granted");
        var stillPending = Started("tracking-still-pending");
        await AppendOkAsync(StartedEvent(other, 1, granted));
        await AppendOkAsync(StartedEvent(other, 2, stillPending));
        var release = HoldFirstBatch(Store, out var held);
        var first = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-first"));
        await held.WaitAsync(TimeSpan.FromSeconds(30));

        // One batch: a started consume, one that repeats its event id, one that repeats its version, the
        // grant of a pending consume, and a grant of another pending consume that repeats that version.
        var appended = Started("tracking-appended");
        var appendedEvent = StartedEvent(player, 1, appended);
        var queued = new[]
        {
            appendedEvent,
            StartedEvent(player, 2, Started("tracking-same-event-id")) with { EventId = appendedEvent.EventId },
            StartedEvent(player, 1, Started("tracking-same-version")),
            StoredEvents.Entitlement(other, 3, "tracking-granted", platform: Platform.XboxLive),
            StoredEvents.Entitlement(other, 3, "tracking-still-pending", platform: Platform.XboxLive),
        }.Select(e => Store.AppendAsync(e)).ToList();
        release.SetResult();
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        var outcomes = (await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(30))).Select(r => r.Outcome);

        Assert.Equal(
            [AppendOutcome.Appended, AppendOutcome.DuplicateKey, AppendOutcome.VersionConflict, AppendOutcome.Appended, AppendOutcome.VersionConflict],
            outcomes);
        Assert.Equal([stillPending, appended], Consumes(await Store.ReadPendingXboxConsumesAsync(appended.Xuid)));
    }

    [Fact]
    public async Task InitializeAsync_VersionSevenDatabase_FindsTheStartedConsumesWithoutAGrantAsPending()
    {
        // Written by a build of schema version 7: the ledger has the started rows and grants, nothing else.
        var (before, after) = (Guid.NewGuid(), Guid.NewGuid());
        var finished = Started("tracking-finished");
        var movedAndPending = Started("tracking-moved");
        var otherXuid = Started("tracking-other-xuid", "2535400000000009");
        var pending = Started("tracking-pending");
        await CloseAsync(Store);
        await ExecuteAsync(BackToVersionNine + BackToVersionEight + BackToVersionSeven);
        Assert.Equal("7/7", await ReadSchemaVersionsAsync());
        var old = await OpenAsync();
        foreach (var ledgerEvent in new[]
        {
            StartedEvent(before, 1, finished),
            StartedEvent(before, 2, movedAndPending),
            StoredEvents.Entitlement(before, 3, "tracking-finished", platform: Platform.XboxLive),
            StartedEvent(after, 1, otherXuid),
            StartedEvent(after, 2, pending),
            StartedEvent(before, 4, Started("tracking-no-xuid")),
        })
        {
            Assert.Equal(AppendOutcome.Appended, (await old.AppendAsync(ledgerEvent)).Outcome);
        }

        // A started row without an XUID, as an Orleans client's call that left it out once wrote: no XUID's to
        // read, and no reason for the upgrade to fail (PostgreSQL's fill stopped on the table's NOT NULL).
        await ExecuteAsync("UPDATE ledger_events SET platform_user_id = NULL WHERE platform_transaction_id = 'tracking-no-xuid';");
        await CloseAsync(old);
        var upgraded = await OpenAsync();

        await upgraded.InitializeAsync();

        Assert.Equal("10/10", await ReadSchemaVersionsAsync());
        Assert.Equal([movedAndPending, pending], Consumes(await upgraded.ReadPendingXboxConsumesAsync(pending.Xuid)));
        Assert.Equal([otherXuid], Consumes(await upgraded.ReadPendingXboxConsumesAsync(otherXuid.Xuid)));
        Assert.Equal((AppendOutcome.Appended, AppendOutcome.Appended), (
            (await upgraded.AppendAsync(StoredEvents.Entitlement(after, 3, "tracking-moved", platform: Platform.XboxLive))).Outcome,
            (await upgraded.AppendAsync(StartedEvent(after, 4, Started("tracking-new")))).Outcome));
        Assert.Equal([pending, Started("tracking-new")], Consumes(await upgraded.ReadPendingXboxConsumesAsync(pending.Xuid)));
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
    public async Task ReadCatalogSkuByProductIdAsync_ProductIdChanged_FindsTheEntryByItsNewIdOnly()
    {
        await Store.WriteCatalogSkuAsync(XboxGems("gems-moved", "9PRODUCTOLD"));
        var moved = await Store.WriteCatalogSkuAsync(XboxGems("gems-moved", "9PRODUCTNEW"));
        await Store.WriteCatalogSkuAsync(XboxGems("gems-cleared", "9PRODUCTCLEARED"));
        await Store.WriteCatalogSkuAsync(XboxGems("gems-cleared", "9PRODUCTCLEARED") with { PlatformProductId = null });

        Assert.Equal(2, moved.Revision);
        Assert.Equal(moved, await Store.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCTNEW"), new CatalogComparer());
        Assert.Null(await Store.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCTOLD"));
        Assert.Null(await Store.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCTCLEARED"));
    }

    [Fact]
    public async Task ReadCatalogSkuByProductIdAsync_EntriesStoredBeforeTheCheckSharingAProduct_ReturnsTheFirstBySku()
    {
        await StoreEntriesSharingAProductAsync("gems-b", "gems-a", "9PRODUCTSHARED");
        await Store.WriteCatalogSkuAsync(XboxGems("gems-c", "9PRODUCTOWN"));

        Assert.Equal(XboxGems("gems-a", "9PRODUCTSHARED") with { Revision = 1 }, await Store.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCTSHARED"), new CatalogComparer());
        Assert.Equal(XboxGems("gems-c", "9PRODUCTOWN") with { Revision = 1 }, await Store.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCTOWN"), new CatalogComparer());
    }

    [Fact]
    public async Task InitializeAsync_VersionEightDatabase_FillsTheCatalogsProductIdsFromTheirDocuments()
    {
        // Written by this build, then the column taken away: the documents are what a version 8 build stored,
        // which took two entries sharing a product (a PUT or a seed now refuses the second).
        await StoreEntriesSharingAProductAsync("gems-b", "gems-a", "9PRODUCTSHARED");
        await Store.WriteCatalogSkuAsync(XboxGems("gems-own", "9PRODUCTOWN"));
        await Store.WriteCatalogSkuAsync(XboxGems("gems-none", "unused") with { PlatformProductId = null });
        await Store.WriteCatalogSkuAsync(XboxGems("gems-nul", "9PRODUCTNUL") with { CustomData = new Dictionary<string, string> { ["note"] = "a\0b" } });
        await CloseAsync(await OpenVersionEightAsync());
        var upgraded = await OpenAsync();

        await upgraded.InitializeAsync();

        Assert.Equal("10/10", await ReadSchemaVersionsAsync());
        Assert.Contains("ix_catalog_skus_product", await ReadIndexesAsync("catalog_skus"));
        Assert.Equal("gems-a", (await upgraded.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCTSHARED"))?.Sku);
        Assert.Equal("gems-own", (await upgraded.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCTOWN"))?.Sku);
        Assert.Null(await upgraded.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "unused"));
        Assert.Equal("a\0b", (await upgraded.ReadCatalogSkuAsync(Platform.XboxLive, "gems-nul"))!.CustomData["note"]);
        await upgraded.WriteCatalogSkuAsync(XboxGems("gems-own", "9PRODUCTRENAMED"));
        Assert.Null(await upgraded.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCTOWN"));
        Assert.Equal("gems-own", (await upgraded.ReadCatalogSkuByProductIdAsync(Platform.XboxLive, "9PRODUCTRENAMED"))?.Sku);
    }

    /// <summary>
    /// Two XboxLive entries with one product id, <paramref name="first"/> then <paramref name="second"/>, as a build
    /// stored them before writes and seeds refused the second: the second is written with a product of its own,
    /// then given the shared one in its column and its document, behind the store's back.
    /// </summary>
    private async Task StoreEntriesSharingAProductAsync(string first, string second, string product)
    {
        var pending = product + "-PENDING";
        await Store.WriteCatalogSkuAsync(XboxGems(first, product));
        await Store.WriteCatalogSkuAsync(XboxGems(second, pending));
        await ExecuteAsync(
            $"UPDATE catalog_skus SET platform_product_id = '{product}', document = replace(document, '{pending}', '{product}') WHERE platform = 'XboxLive' AND sku = '{second}';");
    }

    /// <summary>
    /// For the engines' tests that a product lookup costs the same whatever the size of the XboxLive catalog:
    /// <paramref name="count"/> more XboxLive entries from number <paramref name="from"/> on, each of a product of its
    /// own (on both sides of <c>9PRODUCT0250</c> in key order, whose entry is not among them), every tenth without one.
    /// </summary>
    protected async Task SeedOtherXboxSkusAsync(int from, int count)
    {
        var others = Enumerable.Range(from, count)
            .Select(i => XboxGems($"other-{i:D4}", $"9OTHER{i:D4}") with { PlatformProductId = i % 10 == 0 ? null : $"9PRODUCT{(2 * i) + 1:D4}" });
        Assert.Equal(count, await Store.SeedCatalogAsync(others));
    }

    /// <summary>
    /// The entry the product lookup cost tests look for: product <c>9PRODUCT0250</c>, SKU <c>target</c>, after every
    /// other entry's in SKU order (a walk of the platform's entries in SKU order meets it last).
    /// </summary>
    protected Task<CatalogSku> WriteLookupTargetAsync() => Store.WriteCatalogSkuAsync(XboxGems("target", "9PRODUCT0250"));

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

    private static XboxConsumeStarted[] Consumes(IReadOnlyList<PendingXboxConsume> pending) => [.. pending.Select(p => p.Consume)];

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

    /// <summary>An XUID with one pending consume and no history (see <see cref="SeedXboxConsumeHistoryAsync"/>).</summary>
    protected const string FreshXuid = "2535400000000010";

    /// <summary>An XUID with one pending consume after 100 started and granted ones.</summary>
    protected const string SeasonedXuid = "2535400000000011";

    /// <summary>
    /// For the engines' tests that a read of an XUID's pending consumes costs the same with or without a
    /// history of finished ones: <see cref="FreshXuid"/> and <see cref="SeasonedXuid"/>, and a third XUID's
    /// pending consume after both in the XUID key, so that the two reads take the same steps to the same place.
    /// </summary>
    protected async Task SeedXboxConsumeHistoryAsync()
    {
        var player = Guid.NewGuid();
        var version = 0L;
        for (var i = 0; i < 100; i++)
        {
            await AppendOkAsync(StartedEvent(player, ++version, Started($"tracking-done-{i}", SeasonedXuid)));
            await AppendOkAsync(StoredEvents.Entitlement(player, ++version, $"tracking-done-{i}", platform: Platform.XboxLive));
        }

        await AppendOkAsync(StartedEvent(player, ++version, Started("tracking-fresh", FreshXuid)));
        await AppendOkAsync(StartedEvent(player, ++version, Started("tracking-seasoned", SeasonedXuid)));
        await AppendOkAsync(StartedEvent(player, ++version, Started("tracking-next", "2535400000000012")));
    }

    private static LedgerEvent StartedEvent(Guid player, long version, XboxConsumeStarted started) => new()
    {
        EventId = Guid.NewGuid().ToString("D"),
        Kind = LedgerEventKind.XboxConsumeStarted,
        PlayerUuid = player,
        Version = version,
        Created = StoredEvents.At,
        XboxConsume = started,
    };

    private static LedgerEvent RefusedEvent(Guid player, long version, XboxConsumeStarted refused) =>
        StartedEvent(player, version, refused) with { Kind = LedgerEventKind.XboxConsumeRefused };

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
