using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Storage;

public sealed class SqliteLedgerStoreTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new();
    private readonly List<SqliteLedgerStore> _stores = [];
    private SqliteLedgerStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = Open();
        await _store.InitializeAsync();
        await _store.InitializeAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task InitializeAsync_CalledAgain_AppliesSchemaOnce()
    {
        await _store.InitializeAsync();
        var (outcome, _) = await _store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-1"));

        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory.Path, "entitlements.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) || '/' || MAX(version) FROM schema_version;";
        var applied = (string?)command.ExecuteScalar();
        using var journal = connection.CreateCommand();
        journal.CommandText = "PRAGMA journal_mode;";
        var mode = (string?)journal.ExecuteScalar();

        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal("2/2", applied);
        Assert.Equal("wal", mode);
    }

    [Fact]
    public async Task AppendAsync_EntitlementEvent_ReadsBackUnchanged()
    {
        var player = Guid.NewGuid();
        var written = StoredEvents.Entitlement(player, 1, "tx-1");

        var (outcome, appended) = await _store.AppendAsync(written);
        var read = await _store.ReadPlayerEventsAsync(player, 0, 10);

        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal(written with { Sequence = 1 }, appended);
        Assert.Equal([written with { Sequence = 1 }], read);
    }

    [Fact]
    public async Task AppendAsync_ConsumedEvent_ReadsBackUnchanged()
    {
        var player = Guid.NewGuid();
        await _store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1"));
        var consumed = StoredEvents.Consumed(player, 2, "op-1");

        var (outcome, appended) = await _store.AppendAsync(consumed);
        var byOperation = await _store.ReadOperationAsync(player, "op-1");

        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal(consumed with { Sequence = 2 }, appended);
        Assert.Equal(consumed with { Sequence = 2 }, byOperation);
        Assert.Null(await _store.ReadOperationAsync(player, "op-2"));
        Assert.Null(await _store.ReadOperationAsync(Guid.NewGuid(), "op-1"));
    }

    [Fact]
    public async Task AppendAsync_SameVersionFromTwoStoresConcurrently_AppendsExactlyOne()
    {
        var second = Open();
        await second.InitializeAsync();
        var player = Guid.NewGuid();
        await _store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-0"));
        var first = StoredEvents.Entitlement(player, 2, "tx-1");
        var rival = StoredEvents.Entitlement(player, 2, "tx-2");

        var results = await Task.WhenAll(_store.AppendAsync(first), second.AppendAsync(rival));

        Assert.Equal(
            [AppendOutcome.Appended, AppendOutcome.VersionConflict],
            results.Select(r => r.Outcome).Order());
        var winner = Assert.Single(results, r => r.Outcome == AppendOutcome.Appended).Appended;
        Assert.Null(Assert.Single(results, r => r.Outcome == AppendOutcome.VersionConflict).Appended);
        var events = await _store.ReadPlayerEventsAsync(player, 0, 10);
        Assert.Equal([1L, 2L], events.Select(e => e.Version!.Value));
        Assert.Equal(winner, events[1]);
    }

    [Fact]
    public async Task AppendAsync_SkippedVersion_ReturnsVersionConflict()
    {
        var player = Guid.NewGuid();
        await _store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1"));

        var (outcome, appended) = await _store.AppendAsync(StoredEvents.Entitlement(player, 3, "tx-3"));

        Assert.Equal(AppendOutcome.VersionConflict, outcome);
        Assert.Null(appended);
        Assert.Single(await _store.ReadPlayerEventsAsync(player, 0, 10));
    }

    [Fact]
    public async Task AppendAsync_FirstEventNotAtVersionOne_ReturnsVersionConflict()
    {
        var player = Guid.NewGuid();

        var (outcome, _) = await _store.AppendAsync(StoredEvents.Entitlement(player, 2, "tx-1"));

        Assert.Equal(AppendOutcome.VersionConflict, outcome);
        Assert.Empty(await _store.ReadPlayerEventsAsync(player, 0, 10));
    }

    [Fact]
    public async Task AppendAsync_SameTransactionKeyForAnotherPlayer_ReturnsDuplicateKey()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await _store.AppendAsync(StoredEvents.Entitlement(first, 1, "tx-1"));

        var (outcome, appended) = await _store.AppendAsync(StoredEvents.Entitlement(second, 1, "tx-1"));

        Assert.Equal(AppendOutcome.DuplicateKey, outcome);
        Assert.Null(appended);
        Assert.Empty(await _store.ReadPlayerEventsAsync(second, 0, 10));
    }

    [Fact]
    public async Task AppendAsync_SameTransactionKeyWithNoPlayer_ReturnsDuplicateKey()
    {
        await _store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-1"));

        var (outcome, _) = await _store.AppendAsync(StoredEvents.Entitlement(null, null, "tx-1"));

        Assert.Equal(AppendOutcome.DuplicateKey, outcome);
    }

    [Fact]
    public async Task AppendAsync_SameTransactionWithOtherActionTypeOrPlatform_Appends()
    {
        var player = Guid.NewGuid();
        await _store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1", EntitlementActionType.Grant));

        var refund = await _store.AppendAsync(StoredEvents.Entitlement(player, 2, "tx-1", EntitlementActionType.Refund));
        var otherPlatform = await _store.AppendAsync(StoredEvents.Entitlement(player, 3, "tx-1", EntitlementActionType.Grant, Platform.XboxLive));
        var transaction = await _store.ReadTransactionAsync(Platform.Steam, "tx-1");

        Assert.Equal(AppendOutcome.Appended, refund.Outcome);
        Assert.Equal(AppendOutcome.Appended, otherPlatform.Outcome);
        Assert.Equal(
            [EntitlementActionType.Grant, EntitlementActionType.Refund],
            transaction.Select(e => e.Entitlement!.ActionType));
    }

    [Fact]
    public async Task AppendAsync_SameOperationIdForSamePlayer_ReturnsDuplicateKey()
    {
        var player = Guid.NewGuid();
        await _store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1"));
        await _store.AppendAsync(StoredEvents.Consumed(player, 2, "op-1"));

        var (outcome, _) = await _store.AppendAsync(StoredEvents.Consumed(player, 3, "op-1"));
        var otherPlayer = Guid.NewGuid();
        await _store.AppendAsync(StoredEvents.Entitlement(otherPlayer, 1, "tx-2"));
        var (otherOutcome, _) = await _store.AppendAsync(StoredEvents.Consumed(otherPlayer, 2, "op-1"));

        Assert.Equal(AppendOutcome.DuplicateKey, outcome);
        Assert.Equal(AppendOutcome.Appended, otherOutcome);
    }

    [Fact]
    public async Task AppendAsync_SameEventIdTwice_ReturnsDuplicateKey()
    {
        var player = Guid.NewGuid();
        await _store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1", eventId: "evt-1"));

        var (outcome, _) = await _store.AppendAsync(StoredEvents.Entitlement(player, 2, "tx-2", eventId: "evt-1"));

        Assert.Equal(AppendOutcome.DuplicateKey, outcome);
    }

    [Fact]
    public async Task ReadAllEntitlementEventsAsync_EventsWithNoPlayer_AreListed()
    {
        var first = StoredEvents.Entitlement(null, null, "tx-1");
        var second = StoredEvents.Entitlement(null, null, "tx-2");

        var (outcome, _) = await _store.AppendAsync(first);
        await _store.AppendAsync(second);
        var all = await _store.ReadAllEntitlementEventsAsync(0, 10);

        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal([first with { Sequence = 1 }, second with { Sequence = 2 }], all);
        Assert.Null(all[0].PlayerUuid);
        Assert.Null(all[0].Version);
        Assert.Equal(EntitlementEventStatus.PlayerNotFound, all[0].Entitlement!.Status);
    }

    [Fact]
    public async Task ReadEntitlementEvents_ConsumedEvents_AreNotListed()
    {
        var player = Guid.NewGuid();
        var grant = StoredEvents.Entitlement(player, 1, "tx-1");
        var consumed = StoredEvents.Consumed(player, 2, "op-1");
        var refund = StoredEvents.Entitlement(player, 3, "tx-1", EntitlementActionType.Refund);
        await _store.AppendAsync(grant);
        await _store.AppendAsync(consumed);
        await _store.AppendAsync(refund);

        var all = await _store.ReadAllEntitlementEventsAsync(0, 10);
        var players = await _store.ReadPlayerEntitlementEventsAsync(player, 0, 10);
        var everything = await _store.ReadPlayerEventsAsync(player, 0, 10);
        var transaction = await _store.ReadTransactionAsync(Platform.Steam, "tx-1");

        Assert.Equal([grant.EventId, refund.EventId], all.Select(e => e.EventId));
        Assert.Equal([grant.EventId, refund.EventId], players.Select(e => e.EventId));
        Assert.Equal([grant.EventId, refund.EventId], transaction.Select(e => e.EventId));
        Assert.Equal([grant.EventId, consumed.EventId, refund.EventId], everything.Select(e => e.EventId));
    }

    [Fact]
    public async Task ReadPlayerEntitlementEventsAsync_AfterVersion_ReturnsLaterEventsOnly()
    {
        var player = Guid.NewGuid();
        await _store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-other"));
        for (var version = 1; version <= 5; version++)
        {
            await _store.AppendAsync(StoredEvents.Entitlement(player, version, $"tx-{version}"));
        }

        var page = await _store.ReadPlayerEntitlementEventsAsync(player, 2, 2);

        Assert.Equal([3L, 4L], page.Select(e => e.Version!.Value));
        Assert.All(page, e => Assert.Equal(player, e.PlayerUuid));
    }

    [Fact]
    public async Task ReadAllEntitlementEventsAsync_PagedBySequence_ReturnsEachEventOnceInOrder()
    {
        var appended = new List<string>();
        for (var i = 1; i <= 11; i++)
        {
            var ledgerEvent = i % 3 == 0
                ? StoredEvents.Entitlement(null, null, $"tx-{i}")
                : StoredEvents.Entitlement(Guid.NewGuid(), 1, $"tx-{i}");
            await _store.AppendAsync(ledgerEvent);
            appended.Add(ledgerEvent.EventId);
        }

        var seen = new List<LedgerEvent>();
        long after = 0;
        var pages = 0;
        while (true)
        {
            var page = await _store.ReadAllEntitlementEventsAsync(after, 4);
            if (page.Count == 0)
            {
                break;
            }

            pages++;
            seen.AddRange(page);
            after = page[^1].Sequence;
        }

        Assert.Equal(3, pages);
        Assert.Equal(appended, seen.Select(e => e.EventId));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), seen.Select(e => e.Sequence));
    }

    [Fact]
    public async Task ReadAllEntitlementEventsAsync_WhileWritersAppend_SeesEveryEventExactlyOnce()
    {
        const int Writers = 4;
        const int EventsPerWriter = 25;
        var other = Open();
        await other.InitializeAsync();
        var writerStores = new[] { _store, other };
        var writersDone = 0;

        var writers = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            try
            {
                var store = writerStores[writer % writerStores.Length];
                var player = Guid.NewGuid();
                var ids = new List<string>();
                var version = 0L;
                for (var i = 1; i <= EventsPerWriter; i++)
                {
                    var ledgerEvent = i % 5 == 0
                        ? StoredEvents.Entitlement(null, null, $"w{writer}-unassigned-{i}")
                        : StoredEvents.Entitlement(player, ++version, $"w{writer}-tx-{i}");
                    var (outcome, _) = await store.AppendAsync(ledgerEvent);
                    Assert.Equal(AppendOutcome.Appended, outcome);
                    ids.Add(ledgerEvent.EventId);
                }

                return ids;
            }
            finally
            {
                Interlocked.Increment(ref writersDone);
            }
        })).ToList();

        var seen = new List<LedgerEvent>();
        long after = 0;
        var finished = false;
        while (!finished)
        {
            // Read the flag before the page: a page read after every writer finished is complete.
            finished = Volatile.Read(ref writersDone) == Writers;
            var page = await _store.ReadAllEntitlementEventsAsync(after, 3);
            while (page.Count > 0)
            {
                seen.AddRange(page);
                after = page[^1].Sequence;
                page = await _store.ReadAllEntitlementEventsAsync(after, 3);
            }
        }

        var appended = (await Task.WhenAll(writers)).SelectMany(ids => ids).ToHashSet();
        Assert.Equal(Writers * EventsPerWriter, appended.Count);
        Assert.Equal(appended.Count, seen.Count);
        Assert.Equal(appended.Order(StringComparer.Ordinal), seen.Select(e => e.EventId).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(1, appended.Count).Select(i => (long)i), seen.Select(e => e.Sequence));
    }

    [Fact]
    public async Task LinkPlatformUserAsync_NewUsers_CreatesPlayersWithSequentialIds()
    {
        var first = await _store.LinkPlatformUserAsync(Platform.Steam, "steam-a", "Alice", null, Now);
        var second = await _store.LinkPlatformUserAsync(Platform.Steam, "steam-b", null, null, Now);
        var third = await _store.LinkPlatformUserAsync(Platform.XboxLive, "xbox-c", "Carol", null, Now);

        Assert.Equal([1L, 2L, 3L], new[] { first, second, third }.Select(r => r.Link.PlayerId));
        Assert.True(first.Created);
        Assert.True(second.Created);
        Assert.True(third.Created);
        Assert.Equal(3, new[] { first, second, third }.Select(r => r.Link.PlayerUuid).Distinct().Count());
        var expected = new PlatformUserLink
        {
            Platform = Platform.Steam,
            PlatformUserId = "steam-a",
            DisplayName = "Alice",
            PlayerUuid = first.Link.PlayerUuid,
            PlayerId = 1,
            Created = Now,
        };
        Assert.Equal(expected, first.Link);
        Assert.Equal(expected, await _store.ReadPlatformUserAsync(Platform.Steam, "steam-a"));
        Assert.Equal(new PlayerInfo(first.Link.PlayerUuid, 1, Now), await _store.ReadPlayerAsync(first.Link.PlayerUuid));
        Assert.Equal(new PlayerInfo(second.Link.PlayerUuid, 2, Now), await _store.ReadPlayerByIdAsync(2));
        Assert.Null(await _store.ReadPlayerByIdAsync(4));
        Assert.Null(await _store.ReadPlatformUserAsync(Platform.Steam, "steam-z"));
    }

    [Fact]
    public async Task LinkPlatformUserAsync_ExistingLink_KeepsIt()
    {
        var first = await _store.LinkPlatformUserAsync(Platform.Steam, "steam-a", "Alice", null, Now);

        var again = await _store.LinkPlatformUserAsync(Platform.Steam, "steam-a", null, null, Now.AddHours(1));
        var same = await _store.LinkPlatformUserAsync(Platform.Steam, "steam-a", "Alice", first.Link.PlayerUuid, Now.AddHours(1));
        var renamed = await _store.LinkPlatformUserAsync(Platform.Steam, "steam-a", "Alicia", null, Now.AddHours(1));
        var next = await _store.LinkPlatformUserAsync(Platform.Steam, "steam-b", null, null, Now);

        Assert.False(again.Created);
        Assert.Equal(first.Link, again.Link);
        Assert.False(same.Created);
        Assert.Equal(first.Link, same.Link);
        Assert.False(renamed.Created);
        Assert.Equal(first.Link with { DisplayName = "Alicia" }, renamed.Link);
        Assert.Equal(2, next.Link.PlayerId);
    }

    [Fact]
    public async Task LinkPlatformUserAsync_SecondPlatformToExistingPlayer_SharesPlayer()
    {
        var steam = await _store.LinkPlatformUserAsync(Platform.Steam, "steam-a", null, null, Now);

        var xbox = await _store.LinkPlatformUserAsync(Platform.XboxLive, "xbox-a", null, steam.Link.PlayerUuid, Now);

        Assert.True(xbox.Created);
        Assert.Equal(steam.Link.PlayerUuid, xbox.Link.PlayerUuid);
        Assert.Equal(1, xbox.Link.PlayerId);
        Assert.Null(await _store.ReadPlayerByIdAsync(2));
    }

    [Fact]
    public async Task WriteCatalogSkuAsync_Twice_IncrementsRevision()
    {
        var sku = CatalogEntry("gems-pack", "Gems");

        var first = await _store.WriteCatalogSkuAsync(sku);
        var second = await _store.WriteCatalogSkuAsync(sku with { ItemName = "More Gems", Revision = 99 });
        var read = await _store.ReadCatalogSkuAsync(Platform.Steam, "gems-pack");

        Assert.Equal(1, first.Revision);
        Assert.Equal(2, second.Revision);
        Assert.NotNull(read);
        Assert.Equal(new Dictionary<string, string> { ["tier"] = "gold" }, read.CustomData);
        Assert.Equal(sku with { ItemName = "More Gems", Revision = 2, CustomData = read.CustomData }, read);
        Assert.Null(await _store.ReadCatalogSkuAsync(Platform.XboxLive, "gems-pack"));
    }

    [Fact]
    public async Task SeedCatalogAsync_SomeEntriesPresent_InsertsOnlyMissingEntries()
    {
        await _store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Gems"));
        await _store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Edited Gems"));

        var inserted = await _store.SeedCatalogAsync([CatalogEntry("gems-pack", "Seeded Gems"), CatalogEntry("season-pass", "Season Pass")]);
        var again = await _store.SeedCatalogAsync([CatalogEntry("gems-pack", "Seeded Gems"), CatalogEntry("season-pass", "Season Pass")]);

        Assert.Equal(1, inserted);
        Assert.Equal(0, again);
        var kept = await _store.ReadCatalogSkuAsync(Platform.Steam, "gems-pack");
        var seeded = await _store.ReadCatalogSkuAsync(Platform.Steam, "season-pass");
        Assert.Equal("Edited Gems", kept!.ItemName);
        Assert.Equal(2, kept.Revision);
        Assert.Equal("Season Pass", seeded!.ItemName);
        Assert.Equal(1, seeded.Revision);
    }

    [Fact]
    public async Task ReadCursorKeyAsync_CalledTwiceAndAfterReopen_ReturnsSameKey()
    {
        var first = await _store.ReadCursorKeyAsync();
        var second = await _store.ReadCursorKeyAsync();
        _store.Dispose();
        _stores.Remove(_store);
        var reopened = Open();
        await reopened.InitializeAsync();
        var third = await reopened.ReadCursorKeyAsync();

        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
        Assert.Equal(first, third);
    }

    [Fact]
    public async Task ReadCursorKeyAsync_AnotherDatabase_ReturnsAnotherKey()
    {
        using var otherDirectory = new TempDirectory();
        using var other = new SqliteLedgerStore(Options.Create(new StorageOptions { DataDirectory = otherDirectory.Path }));
        await other.InitializeAsync();

        Assert.NotEqual(await _store.ReadCursorKeyAsync(), await other.ReadCursorKeyAsync());
    }

    [Fact]
    public async Task WriteSnapshotAsync_OlderThanStored_KeepsNewer()
    {
        var player = Guid.NewGuid();
        var newer = new LedgerState { Version = 10 };

        await _store.WriteSnapshotAsync(new LedgerSnapshot(player, newer));
        await _store.WriteSnapshotAsync(new LedgerSnapshot(player, new LedgerState { Version = 5 }));
        var read = await _store.ReadSnapshotAsync(player);

        Assert.Equal(10, read!.State.Version);
        Assert.Empty(read.State.Items);
        Assert.Null(await _store.ReadSnapshotAsync(Guid.NewGuid()));
    }

    private static CatalogSku CatalogEntry(string sku, string name) => new()
    {
        Platform = Platform.Steam,
        Sku = sku,
        EntitlementType = EntitlementType.Consumable,
        ItemId = sku + "-item",
        ItemName = name,
        ItemClass = "currency",
        Clazz = EntitlementClazz.Entitlement,
        UnitsPerQuantity = 100,
        RevocationPolicy = RevocationPolicy.AllowNegative,
        PlatformProductId = "9NBLGGH4R315",
        CustomData = new Dictionary<string, string> { ["tier"] = "gold" },
        LootId = 11,
        RefundLootId = 12,
        ChargebackLootId = 13,
        ChargebackReversalLootId = 14,
        Revision = 0,
    };

    private SqliteLedgerStore Open()
    {
        var store = new SqliteLedgerStore(Options.Create(new StorageOptions { DataDirectory = _directory.Path }));
        _stores.Add(store);
        return store;
    }
}
