using Entitlements.Ledger;
using Entitlements.Storage;

namespace Entitlements.Tests.Storage;

/// <summary>The ledger's schema: which indexes an append has to write, the upgrade that removed four, and the one that added the players' grants.</summary>
public abstract partial class LedgerStoreContractTests
{
    /// <summary>
    /// Schema version 2's indexes that version 3 dropped, and the one on started Xbox consumes (version
    /// 3's, keyed by XUID since version 6): run on a version 6 or 7 database (after <see cref="BackToVersionSeven"/>),
    /// this puts it back in version 2's shape (the same SQL on both engines).
    /// </summary>
    private const string BackToVersionTwo = """
        CREATE INDEX ix_ledger_events_player_kind ON ledger_events (player_uuid, kind, version);
        CREATE INDEX ix_ledger_events_kind_seq ON ledger_events (kind, seq);
        CREATE INDEX ix_ledger_events_notifying ON ledger_events (seq) WHERE entitlement_updated IS NOT NULL;
        CREATE INDEX ix_ledger_events_player_notifying ON ledger_events (player_uuid, seq) WHERE entitlement_updated IS NOT NULL;
        DROP INDEX ix_ledger_events_xuid_xbox_consumes;
        DELETE FROM schema_version WHERE version >= 3;
        """;

    /// <summary>
    /// SQL that puts a database of this build's schema back in version 7's shape: no table of pending Xbox
    /// consumes, nor its triggers, and version 6's partial index of started consumes by XUID. Run it after
    /// <see cref="BackToVersionEight"/>.
    /// </summary>
    protected abstract string BackToVersionSeven { get; }

    /// <summary>
    /// SQL that puts a database of this build's schema back in version 9's shape: no trigger that finishes a
    /// pending Xbox consume on the append of its refusal. Run it before <see cref="BackToVersionEight"/>.
    /// </summary>
    protected abstract string BackToVersionNine { get; }

    /// <summary>
    /// Version 9's additions taken away, the same SQL on both engines: the catalog's product id column with its
    /// index.
    /// </summary>
    protected const string BackToVersionEight = """
        DROP INDEX ix_catalog_skus_product;
        ALTER TABLE catalog_skus DROP COLUMN platform_product_id;
        DELETE FROM schema_version WHERE version >= 9;
        """;

    /// <summary>The names of the indexes on <paramref name="table"/>, sorted ordinally, the engine's own key indexes included.</summary>
    protected abstract Task<IReadOnlyList<string>> ReadIndexesAsync(string table);

    private Task<IReadOnlyList<string>> ReadLedgerIndexesAsync() => ReadIndexesAsync("ledger_events");

    /// <summary>Run SQL on this test's database, outside any store.</summary>
    protected abstract Task ExecuteAsync(string sql);

    /// <summary>The engine's names for the primary key and the <c>event_id</c> unique key.</summary>
    protected abstract IReadOnlyList<string> KeyIndexes { get; }

    private IReadOnlyList<string> ExpectedLedgerIndexes =>
    [
        .. KeyIndexes,
        "ux_ledger_events_operation",
        "ux_ledger_events_player_version",
        "ux_ledger_events_transaction",
    ];

    [Fact]
    public async Task InitializeAsync_NewDatabase_IndexesLedgerEventsByItsKeysAndThePlayersGrantsOnly()
    {
        var indexes = await ReadLedgerIndexesAsync();

        Assert.Equal(ExpectedLedgerIndexes.Order(StringComparer.Ordinal), indexes);
    }

    [Fact]
    public async Task InitializeAsync_VersionTwoDatabase_DropsTheFourSortingIndexesAndEveryReaderStillFindsEverything()
    {
        var player = Guid.NewGuid();
        var grant = StoredEvents.NotifyingGrant(player, "tx-1");
        var consumed = StoredEvents.Consumed(player, 2, "op-1");
        var second = StoredEvents.Entitlement(player, 3, "tx-2");
        foreach (var ledgerEvent in new[] { grant, consumed, second })
        {
            Assert.Equal(AppendOutcome.Appended, (await Store.AppendAsync(ledgerEvent)).Outcome);
        }

        await CloseAsync(Store);
        await ExecuteAsync(BackToVersionNine + BackToVersionEight + BackToVersionSeven + BackToVersionTwo);
        Assert.Equal("2/2", await ReadSchemaVersionsAsync());
        var upgraded = await OpenAsync();
        await upgraded.InitializeAsync();

        Assert.Equal("10/10", await ReadSchemaVersionsAsync());
        Assert.Equal(ExpectedLedgerIndexes.Order(StringComparer.Ordinal), await ReadLedgerIndexesAsync());
        Assert.Equal([grant.EventId, consumed.EventId, second.EventId], (await upgraded.ReadPlayerEventsAsync(player, 0, 10)).Select(e => e.EventId));
        Assert.Equal([grant.EventId, second.EventId], (await upgraded.ReadPlayerEntitlementEventsAsync(player, 0, 10)).Select(e => e.EventId));
        Assert.Equal([second.EventId], (await upgraded.ReadPlayerEntitlementEventsAsync(player, 1, 10)).Select(e => e.EventId));
        Assert.Equal([grant.EventId, second.EventId], (await upgraded.ReadAllEntitlementEventsAsync(0, 10)).Select(e => e.EventId));
        Assert.Equal([grant.EventId], (await upgraded.ReadNotifyingEventsAsync(null, 0, 10)).Select(e => e.EventId));
        Assert.Equal([grant.EventId], (await upgraded.ReadNotifyingEventsAsync(player, 0, 10)).Select(e => e.EventId));
        Assert.Equal(1, await upgraded.ReadLastNotifyingSequenceAsync());
        Assert.Equal(consumed.EventId, (await upgraded.ReadOperationAsync(player, "op-1"))?.EventId);
    }

    [Fact]
    public async Task InitializeAsync_VersionEightDatabase_ListsThePlayersGrantsAsBefore()
    {
        var player = Guid.NewGuid();
        var old = await OpenVersionEightAsync();
        var appended = new List<LedgerEvent>();
        foreach (var ledgerEvent in new[]
        {
            StoredEvents.Consumed(player, 1, "op-1"),
            StoredEvents.Entitlement(player, 2, "tx-1"),
            StoredEvents.Consumed(player, 3, "op-2"),
            StoredEvents.Consumed(player, 4, "op-3"),
            StoredEvents.Entitlement(player, 5, "tx-2"),
            StoredEvents.Entitlement(player, 6, "tx-3"),
        })
        {
            var (outcome, stored) = await old.AppendAsync(ledgerEvent);
            Assert.Equal(AppendOutcome.Appended, outcome);
            appended.Add(stored!);
        }

        await CloseAsync(old);
        var upgraded = await OpenAsync();

        await upgraded.InitializeAsync();

        Assert.Equal("10/10", await ReadSchemaVersionsAsync());
        Assert.Equal([2L, 5L], (await upgraded.ReadPlayerEntitlementEventsAsync(player, 0, 2)).Select(e => e.Version));
        Assert.Equal([6L], (await upgraded.ReadPlayerEntitlementEventsAsync(player, 5, 2)).Select(e => e.Version));
        Assert.Equal(
            [appended[1].EventId, appended[4].EventId, appended[5].EventId],
            (await upgraded.ReadAllEntitlementEventsAsync(0, 10)).Select(e => e.EventId));
        Assert.Equal(AppendOutcome.Appended, (await upgraded.AppendAsync(StoredEvents.Entitlement(player, 7, "tx-4"))).Outcome);
        Assert.Equal([6L, 7L], (await upgraded.ReadPlayerEntitlementEventsAsync(player, 5, 10)).Select(e => e.Version));
    }

    /// <summary>Close this test's store, put its database back in schema version 9's shape, and open it again (not initialized).</summary>
    protected async Task<ILedgerStore> OpenVersionNineAsync()
    {
        await CloseAsync(Store);
        await ExecuteAsync(BackToVersionNine);
        Assert.Equal("9/9", await ReadSchemaVersionsAsync());
        return await OpenAsync();
    }

    /// <summary>Close this test's store, put its database back in schema version 8's shape, and open it again (not initialized).</summary>
    protected async Task<ILedgerStore> OpenVersionEightAsync()
    {
        await CloseAsync(Store);
        await ExecuteAsync(BackToVersionNine + BackToVersionEight);
        Assert.Equal("8/8", await ReadSchemaVersionsAsync());
        return await OpenAsync();
    }

    [Fact]
    public async Task ReadNotifyingEventsAsync_OnePlayerAfterEachSequence_ReturnsTheirNotifyingEventsAfterIt()
    {
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        var appended = new List<LedgerEvent>();
        for (var round = 0; round < 3; round++)
        {
            // Alice: a notifying event each round; Bob: a notifying one, then one that notifies nobody.
            var aliceGrant = StoredEvents.NotifyingGrant(alice, $"tx-a{round}") with { Version = round + 1 };
            var bobGrant = StoredEvents.NotifyingGrant(bob, $"tx-b{round}") with { Version = (2 * round) + 1 };
            var bobSilent = StoredEvents.Entitlement(bob, (2 * round) + 2, $"tx-s{round}");
            foreach (var ledgerEvent in new[] { aliceGrant, bobGrant, bobSilent })
            {
                var (outcome, stored) = await Store.AppendAsync(ledgerEvent);
                Assert.Equal(AppendOutcome.Appended, outcome);
                appended.Add(stored!);
            }
        }

        for (var after = 0L; after <= appended.Count; after++)
        {
            foreach (var player in new[] { alice, bob })
            {
                var expected = appended.Where(e => e.PlayerUuid == player && e.EntitlementUpdated is not null && e.Sequence > after).Select(e => e.Sequence);

                var read = await Store.ReadNotifyingEventsAsync(player, after, 10);

                Assert.Equal(expected, read.Select(e => e.Sequence));
            }
        }

        Assert.Equal([appended[1].Sequence, appended[4].Sequence], (await Store.ReadNotifyingEventsAsync(bob, 0, 2)).Select(e => e.Sequence));
    }
}
