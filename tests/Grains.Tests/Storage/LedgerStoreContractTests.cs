using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Notifications;
using Entitlements.Storage;

namespace Entitlements.Tests.Storage;

/// <summary>
/// What every <see cref="ILedgerStore"/> must do, run against each engine by a subclass. Every test
/// starts on a fresh, empty database that <see cref="OpenAsync"/> reaches, initialized twice.
/// </summary>
public abstract partial class LedgerStoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private ILedgerStore? _store;

    /// <summary>The store under test, initialized.</summary>
    protected ILedgerStore Store => _store ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>A new store (its own connections, like another silo's) on this test's database; not initialized.</summary>
    protected abstract Task<ILedgerStore> OpenAsync();

    /// <summary>A new store on another fresh database; not initialized.</summary>
    protected abstract Task<ILedgerStore> OpenOtherDatabaseAsync();

    /// <summary>Release a store made by <see cref="OpenAsync"/> before the test ends.</summary>
    protected abstract ValueTask CloseAsync(ILedgerStore store);

    /// <summary>The <c>schema_version</c> table as "count/max".</summary>
    protected abstract Task<string> ReadSchemaVersionsAsync();

    public virtual async Task InitializeAsync()
    {
        _store = await OpenAsync();
        await Store.InitializeAsync();
        await Store.InitializeAsync();
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task InitializeAsync_CalledAgain_AppliesSchemaOnce()
    {
        await Store.InitializeAsync();
        var (outcome, _) = await Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-1"));

        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal("10/10", await ReadSchemaVersionsAsync());
    }

    [Fact]
    public async Task AppendAsync_TransactionIdOfRallyHeresMaximumLength_IsStoredFoundAndKeptUnique()
    {
        // 4,096 characters that do not compress: more than one PostgreSQL B-tree entry may hold.
        var random = new Random(4096);
        var id = new string([.. Enumerable.Range(0, 4096).Select(_ => (char)random.Next(0x21, 0x7F))]);
        var player = Guid.NewGuid();
        var grant = StoredEvents.Entitlement(player, 1, id);
        var sameAgain = StoredEvents.Entitlement(player, 2, id);
        var refund = StoredEvents.Entitlement(player, 2, id, EntitlementActionType.Refund);

        var (granted, _) = await Store.AppendAsync(grant);
        var (duplicate, _) = await Store.AppendAsync(sameAgain);
        var (refunded, _) = await Store.AppendAsync(refund);

        Assert.Equal((AppendOutcome.Appended, AppendOutcome.DuplicateKey, AppendOutcome.Appended), (granted, duplicate, refunded));
        Assert.Equal([grant.EventId, refund.EventId], (await Store.ReadTransactionAsync(Platform.Steam, id)).Select(e => e.EventId));
        Assert.Empty(await Store.ReadTransactionAsync(Platform.Steam, id[..^1]));
    }

    [Fact]
    public async Task AppendAsync_EntitlementEvent_ReadsBackUnchanged()
    {
        var player = Guid.NewGuid();
        var written = StoredEvents.Entitlement(player, 1, "tx-1");

        var (outcome, appended) = await Store.AppendAsync(written);
        var read = await Store.ReadPlayerEventsAsync(player, 0, 10);

        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal(written with { Sequence = 1 }, appended);
        Assert.Equal([written with { Sequence = 1 }], read);
    }

    [Fact]
    public async Task AppendAsync_ConsumedEvent_ReadsBackUnchanged()
    {
        var player = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1"));
        var consumed = StoredEvents.Consumed(player, 2, "op-1");

        var (outcome, appended) = await Store.AppendAsync(consumed);
        var byOperation = await Store.ReadOperationAsync(player, "op-1");

        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal(consumed with { Sequence = 2 }, appended);
        Assert.Equal(consumed with { Sequence = 2 }, byOperation);
        Assert.Null(await Store.ReadOperationAsync(player, "op-2"));
        Assert.Null(await Store.ReadOperationAsync(Guid.NewGuid(), "op-1"));
    }

    [Fact]
    public async Task AppendAsync_SameVersionFromTwoStoresConcurrently_AppendsExactlyOne()
    {
        var second = await OpenAsync();
        await second.InitializeAsync();
        var player = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-0"));
        var first = StoredEvents.Entitlement(player, 2, "tx-1");
        var rival = StoredEvents.Entitlement(player, 2, "tx-2");

        var results = await Task.WhenAll(Store.AppendAsync(first), second.AppendAsync(rival));

        Assert.Equal(
            [AppendOutcome.Appended, AppendOutcome.VersionConflict],
            results.Select(r => r.Outcome).Order());
        var winner = Assert.Single(results, r => r.Outcome == AppendOutcome.Appended).Appended;
        Assert.Null(Assert.Single(results, r => r.Outcome == AppendOutcome.VersionConflict).Appended);
        var events = await Store.ReadPlayerEventsAsync(player, 0, 10);
        Assert.Equal([1L, 2L], events.Select(e => e.Version!.Value));
        Assert.Equal(winner, events[1]);
    }

    [Fact]
    public async Task AppendAsync_SkippedVersion_ReturnsVersionConflict()
    {
        var player = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1"));

        var (outcome, appended) = await Store.AppendAsync(StoredEvents.Entitlement(player, 3, "tx-3"));

        Assert.Equal(AppendOutcome.VersionConflict, outcome);
        Assert.Null(appended);
        Assert.Single(await Store.ReadPlayerEventsAsync(player, 0, 10));
    }

    [Fact]
    public async Task AppendAsync_FirstEventNotAtVersionOne_ReturnsVersionConflict()
    {
        var player = Guid.NewGuid();

        var (outcome, _) = await Store.AppendAsync(StoredEvents.Entitlement(player, 2, "tx-1"));

        Assert.Equal(AppendOutcome.VersionConflict, outcome);
        Assert.Empty(await Store.ReadPlayerEventsAsync(player, 0, 10));
    }

    [Fact]
    public async Task AppendAsync_SameTransactionKeyForAnotherPlayer_ReturnsDuplicateKey()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(first, 1, "tx-1"));

        var (outcome, appended) = await Store.AppendAsync(StoredEvents.Entitlement(second, 1, "tx-1"));

        Assert.Equal(AppendOutcome.DuplicateKey, outcome);
        Assert.Null(appended);
        Assert.Empty(await Store.ReadPlayerEventsAsync(second, 0, 10));
    }

    [Fact]
    public async Task AppendAsync_SameTransactionKeyWithNoPlayer_ReturnsDuplicateKey()
    {
        await Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-1"));

        var (outcome, _) = await Store.AppendAsync(StoredEvents.Entitlement(null, null, "tx-1"));

        Assert.Equal(AppendOutcome.DuplicateKey, outcome);
    }

    [Fact]
    public async Task AppendAsync_SameTransactionWithOtherActionTypeOrPlatform_Appends()
    {
        var player = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1", EntitlementActionType.Grant));

        var refund = await Store.AppendAsync(StoredEvents.Entitlement(player, 2, "tx-1", EntitlementActionType.Refund));
        var otherPlatform = await Store.AppendAsync(StoredEvents.Entitlement(player, 3, "tx-1", EntitlementActionType.Grant, Platform.XboxLive));
        var transaction = await Store.ReadTransactionAsync(Platform.Steam, "tx-1");

        Assert.Equal(AppendOutcome.Appended, refund.Outcome);
        Assert.Equal(AppendOutcome.Appended, otherPlatform.Outcome);
        Assert.Equal(
            [EntitlementActionType.Grant, EntitlementActionType.Refund],
            transaction.Select(e => e.Entitlement!.ActionType));
    }

    [Fact]
    public async Task AppendAsync_FirstOfTransactionWhenTheTransactionHasAnyEvent_ReturnsDuplicateKey()
    {
        var player = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-refunded", EntitlementActionType.Refund));
        await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-granted", EntitlementActionType.Grant));

        // A grant decided as the first of its transaction, after that transaction's refund (another player's).
        var afterRefund = await Store.AppendAsync(StoredEvents.Entitlement(player, 2, "tx-refunded") with { TransactionEventsRead = 0 });
        var again = await Store.AppendAsync(StoredEvents.Entitlement(player, 2, "tx-granted") with { TransactionEventsRead = 0 });
        var otherPlatform = await Store.AppendAsync(StoredEvents.Entitlement(player, 2, "tx-refunded", platform: Platform.XboxLive) with { TransactionEventsRead = 0 });
        var unconditioned = await Store.AppendAsync(StoredEvents.Entitlement(player, 3, "tx-refunded"));

        Assert.Equal((AppendOutcome.DuplicateKey, (LedgerEvent?)null), afterRefund);
        Assert.Equal((AppendOutcome.DuplicateKey, (LedgerEvent?)null), again);
        Assert.Equal(AppendOutcome.Appended, otherPlatform.Outcome);
        Assert.Null(otherPlatform.Appended!.TransactionEventsRead);
        Assert.Equal(AppendOutcome.Appended, unconditioned.Outcome);
        Assert.Equal(
            [EntitlementActionType.Refund, EntitlementActionType.Grant],
            (await Store.ReadTransactionAsync(Platform.Steam, "tx-refunded")).Select(e => e.Entitlement!.ActionType));
        Assert.Equal([1L, 2L, 3L], (await Store.ReadPlayerEventsAsync(player, 0, 10)).Select(e => e.Version!.Value));
    }

    [Fact]
    public async Task AppendAsync_FirstOfTransactionQueuedBehindItsRefundInOneBatch_ReturnsDuplicateKey()
    {
        var release = HoldFirstBatch(Store, out var held);
        var first = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-first"));
        await held.WaitAsync(BatchDeadline);
        var refund = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-1", EntitlementActionType.Refund));
        var grant = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-1") with { TransactionEventsRead = 0 });
        release.SetResult();

        Assert.Equal(AppendOutcome.Appended, (await first.WaitAsync(BatchDeadline)).Outcome);
        Assert.Equal(AppendOutcome.Appended, (await refund.WaitAsync(BatchDeadline)).Outcome);
        Assert.Equal(AppendOutcome.DuplicateKey, (await grant.WaitAsync(BatchDeadline)).Outcome);
    }

    [Fact]
    public async Task AppendAsync_DecidedOnATransactionThatGainedAnEventSinceTheRead_ReturnsDuplicateKey()
    {
        // A grant of another player's transaction read with one event (a reversal); the refund came since.
        var holder = Guid.NewGuid();
        var player = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(holder, 1, "tx-1", EntitlementActionType.ChargebackReversal) with { TransactionEventsRead = 0 });
        await Store.AppendAsync(StoredEvents.Entitlement(holder, 2, "tx-1", EntitlementActionType.Refund) with { TransactionEventsRead = 1 });

        var stale = await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1") with { TransactionEventsRead = 1 });
        var ahead = await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1") with { TransactionEventsRead = 3 });
        var current = await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1") with { TransactionEventsRead = 2 });

        Assert.Equal((AppendOutcome.DuplicateKey, (LedgerEvent?)null), stale);
        Assert.Equal((AppendOutcome.DuplicateKey, (LedgerEvent?)null), ahead);
        Assert.Equal(AppendOutcome.Appended, current.Outcome);
        Assert.Null(current.Appended!.TransactionEventsRead);
        Assert.Equal(
            [(holder, EntitlementActionType.ChargebackReversal), (holder, EntitlementActionType.Refund), (player, EntitlementActionType.Grant)],
            (await Store.ReadTransactionAsync(Platform.Steam, "tx-1")).Select(e => (e.PlayerUuid!.Value, e.Entitlement!.ActionType)));
        Assert.Equal([1L], (await Store.ReadPlayerEventsAsync(player, 0, 10)).Select(e => e.Version!.Value));
    }

    [Fact]
    public async Task AppendAsync_DecidedOnATransactionThatAnEarlierAppendOfItsBatchChanged_ReturnsDuplicateKeyAlone()
    {
        var player = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-1", EntitlementActionType.ChargebackReversal));
        var release = HoldFirstBatch(Store, out var held);
        var first = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-first"));
        await held.WaitAsync(BatchDeadline);

        // Both decided on the transaction holding the reversal alone; the refund is appended first.
        var refund = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-1", EntitlementActionType.Refund) with { TransactionEventsRead = 1 });
        var grant = Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1") with { TransactionEventsRead = 1 });
        var next = Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-2") with { TransactionEventsRead = 0 });
        release.SetResult();

        Assert.Equal(AppendOutcome.Appended, (await first.WaitAsync(BatchDeadline)).Outcome);
        Assert.Equal(AppendOutcome.Appended, (await refund.WaitAsync(BatchDeadline)).Outcome);
        Assert.Equal((AppendOutcome.DuplicateKey, (LedgerEvent?)null), await grant.WaitAsync(BatchDeadline));
        Assert.Equal(AppendOutcome.Appended, (await next.WaitAsync(BatchDeadline)).Outcome);
        Assert.Equal(
            [EntitlementActionType.ChargebackReversal, EntitlementActionType.Refund],
            (await Store.ReadTransactionAsync(Platform.Steam, "tx-1")).Select(e => e.Entitlement!.ActionType));
        Assert.Equal(["tx-2"], (await Store.ReadPlayerEventsAsync(player, 0, 10)).Select(e => e.Entitlement!.PlatformTransactionId));
    }

    [Fact]
    public async Task AppendAsync_SameOperationIdForSamePlayer_ReturnsDuplicateKey()
    {
        var player = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1"));
        await Store.AppendAsync(StoredEvents.Consumed(player, 2, "op-1"));

        var (outcome, _) = await Store.AppendAsync(StoredEvents.Consumed(player, 3, "op-1"));
        var otherPlayer = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(otherPlayer, 1, "tx-2"));
        var (otherOutcome, _) = await Store.AppendAsync(StoredEvents.Consumed(otherPlayer, 2, "op-1"));

        Assert.Equal(AppendOutcome.DuplicateKey, outcome);
        Assert.Equal(AppendOutcome.Appended, otherOutcome);
    }

    [Fact]
    public async Task AppendAsync_SameEventIdTwice_ReturnsDuplicateKey()
    {
        var player = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1", eventId: "evt-1"));

        var (outcome, _) = await Store.AppendAsync(StoredEvents.Entitlement(player, 2, "tx-2", eventId: "evt-1"));

        Assert.Equal(AppendOutcome.DuplicateKey, outcome);
    }

    [Fact]
    public async Task ReadAllEntitlementEventsAsync_EventsWithNoPlayer_AreListed()
    {
        var first = StoredEvents.Entitlement(null, null, "tx-1");
        var second = StoredEvents.Entitlement(null, null, "tx-2");

        var (outcome, _) = await Store.AppendAsync(first);
        await Store.AppendAsync(second);
        var all = await Store.ReadAllEntitlementEventsAsync(0, 10);

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
        await Store.AppendAsync(grant);
        await Store.AppendAsync(consumed);
        await Store.AppendAsync(refund);

        var all = await Store.ReadAllEntitlementEventsAsync(0, 10);
        var players = await Store.ReadPlayerEntitlementEventsAsync(player, 0, 10);
        var everything = await Store.ReadPlayerEventsAsync(player, 0, 10);
        var transaction = await Store.ReadTransactionAsync(Platform.Steam, "tx-1");

        Assert.Equal([grant.EventId, refund.EventId], all.Select(e => e.EventId));
        Assert.Equal([grant.EventId, refund.EventId], players.Select(e => e.EventId));
        Assert.Equal([grant.EventId, refund.EventId], transaction.Select(e => e.EventId));
        Assert.Equal([grant.EventId, consumed.EventId, refund.EventId], everything.Select(e => e.EventId));
    }

    [Fact]
    public async Task ReadPlayerEntitlementEventsAsync_AfterVersion_ReturnsLaterEventsOnly()
    {
        var player = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-other"));
        for (var version = 1; version <= 5; version++)
        {
            await Store.AppendAsync(StoredEvents.Entitlement(player, version, $"tx-{version}"));
        }

        var page = await Store.ReadPlayerEntitlementEventsAsync(player, 2, 2);

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
            await Store.AppendAsync(ledgerEvent);
            appended.Add(ledgerEvent.EventId);
        }

        var seen = new List<LedgerEvent>();
        long after = 0;
        var pages = 0;
        while (true)
        {
            var page = await Store.ReadAllEntitlementEventsAsync(after, 4);
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
        var other = await OpenAsync();
        await other.InitializeAsync();
        var writerStores = new[] { Store, other };
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
            var page = await Store.ReadAllEntitlementEventsAsync(after, 3);
            while (page.Count > 0)
            {
                seen.AddRange(page);
                after = page[^1].Sequence;
                page = await Store.ReadAllEntitlementEventsAsync(after, 3);
            }
        }

        var appended = (await Task.WhenAll(writers)).SelectMany(ids => ids).ToHashSet();
        Assert.Equal(Writers * EventsPerWriter, appended.Count);
        Assert.Equal(appended.Count, seen.Count);
        Assert.Equal(appended.Order(StringComparer.Ordinal), seen.Select(e => e.EventId).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(1, appended.Count).Select(i => (long)i), seen.Select(e => e.Sequence));
    }

    [Fact]
    public async Task AppendAsync_RejectedAppends_LeaveNoGapInSequence()
    {
        var player = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-1"));
        var conflict = await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-2"));
        var duplicate = await Store.AppendAsync(StoredEvents.Entitlement(player, 2, "tx-1"));

        var (outcome, appended) = await Store.AppendAsync(StoredEvents.Entitlement(player, 2, "tx-3"));

        Assert.Equal(AppendOutcome.VersionConflict, conflict.Outcome);
        Assert.Equal(AppendOutcome.DuplicateKey, duplicate.Outcome);
        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal(2, appended!.Sequence);
    }

    [Fact]
    public async Task ReadNotifyingEventsAsync_MixedEvents_ReturnsOnlyNotifyingOnesInSequenceOrder()
    {
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        var aliceGrant = StoredEvents.NotifyingGrant(alice, "tx-a");
        var unassigned = StoredEvents.Entitlement(null, null, "tx-none");
        var bobGrant = StoredEvents.NotifyingGrant(bob, "tx-b");
        var silent = StoredEvents.Entitlement(alice, 2, "tx-silent");
        await Store.AppendAsync(aliceGrant);
        await Store.AppendAsync(unassigned);
        await Store.AppendAsync(bobGrant);
        await Store.AppendAsync(silent);

        var all = await Store.ReadNotifyingEventsAsync(null, 0, 10);
        var afterFirst = await Store.ReadNotifyingEventsAsync(null, 1, 10);
        var firstOnly = await Store.ReadNotifyingEventsAsync(null, 0, 1);
        var bobs = await Store.ReadNotifyingEventsAsync(bob, 0, 10);
        var alicesAfterHers = await Store.ReadNotifyingEventsAsync(alice, 1, 10);

        Assert.Equal([(1L, aliceGrant.EventId), (3L, bobGrant.EventId)], all.Select(e => (e.Sequence, e.EventId)));
        Assert.Equal(
            [NotificationJson.Serialize(aliceGrant.EntitlementUpdated!), NotificationJson.Serialize(bobGrant.EntitlementUpdated!)],
            all.Select(e => NotificationJson.Serialize(e.EntitlementUpdated!)));
        Assert.All(all, e => Assert.Null(e.RevocationCompleted));
        Assert.Equal([3L], afterFirst.Select(e => e.Sequence));
        Assert.Equal([1L], firstOnly.Select(e => e.Sequence));
        Assert.Equal([3L], bobs.Select(e => e.Sequence));
        Assert.Empty(alicesAfterHers);
    }

    [Fact]
    public async Task ReadEntitlementEvents_NotifyingEvents_ReturnThemAsAppendedButForTheirNotifications()
    {
        var player = Guid.NewGuid();
        var grant = StoredEvents.NotifyingGrant(player, "tx-1");
        var refund = StoredEvents.NotifyingRefund(grant);
        var unassigned = StoredEvents.Entitlement(null, null, "tx-none");
        await Store.AppendAsync(grant);
        await Store.AppendAsync(refund);
        await Store.AppendAsync(unassigned);

        var players = await Store.ReadPlayerEntitlementEventsAsync(player, 0, 10);
        var all = await Store.ReadAllEntitlementEventsAsync(0, 10);

        Assert.NotNull(grant.EntitlementUpdated);
        Assert.NotNull(refund.EntitlementUpdated);
        Assert.NotNull(refund.RevocationCompleted);
        LedgerEvent[] listed = [WithoutNotifications(grant) with { Sequence = 1 }, WithoutNotifications(refund) with { Sequence = 2 }];
        Assert.Equal(listed, players);
        Assert.Equal([.. listed, unassigned with { Sequence = 3 }], all);
    }

    [Fact]
    public async Task ReadEvents_NotifyingEvents_ReturnThemWithTheirNotifications()
    {
        var player = Guid.NewGuid();
        var grant = StoredEvents.NotifyingGrant(player, "tx-1");
        var refund = StoredEvents.NotifyingRefund(grant);
        await Store.AppendAsync(grant);
        await Store.AppendAsync(refund);
        LedgerEvent[] appended = [grant with { Sequence = 1 }, refund with { Sequence = 2 }];

        var playerEvents = await Store.ReadPlayerEventsAsync(player, 0, 10);
        var transaction = await Store.ReadTransactionAsync(Platform.Steam, "tx-1");
        var feed = await Store.ReadNotifyingEventsAsync(null, 0, 10);
        var playersFeed = await Store.ReadNotifyingEventsAsync(player, 0, 10);

        Assert.All([playerEvents, transaction, feed, playersFeed], read =>
        {
            Assert.Equal(appended.Select(WithoutNotifications), read.Select(WithoutNotifications));
            Assert.Equal(appended.Select(NotificationsOf), read.Select(NotificationsOf));
        });
        Assert.NotNull(grant.EntitlementUpdated);
        Assert.NotNull(refund.EntitlementUpdated);
        Assert.NotNull(refund.RevocationCompleted);
    }

    [Fact]
    public async Task ReadNotifyingEvents_RevocationThatTookNothing_IsNotifyingWithOnlyItsRevocation()
    {
        var player = Guid.NewGuid();
        var grant = StoredEvents.NotifyingGrant(Guid.NewGuid(), "tx-a");
        var refund = StoredEvents.NotifyingRefundWithNoGrant(player, "tx-b");
        await Store.AppendAsync(grant);
        await Store.AppendAsync(refund);
        await Store.AppendAsync(StoredEvents.Entitlement(null, null, "tx-none"));

        var feed = await Store.ReadNotifyingEventsAsync(null, 0, 10);
        var afterGrant = await Store.ReadNotifyingEventsAsync(null, 1, 10);
        var playersFeed = await Store.ReadNotifyingEventsAsync(player, 0, 10);
        var last = await Store.ReadLastNotifyingSequenceAsync();

        Assert.Null(refund.EntitlementUpdated);
        Assert.Equal([1L, 2L], feed.Select(e => e.Sequence));
        Assert.All([afterGrant, playersFeed], read =>
        {
            var only = Assert.Single(read);
            Assert.Equal((2L, refund.EventId, null), (only.Sequence, only.EventId, only.EntitlementUpdated));
            Assert.Equal(NotificationJson.Serialize(refund.RevocationCompleted!), NotificationJson.Serialize(only.RevocationCompleted!));
        });
        Assert.Equal(2, last);
    }

    [Fact]
    public async Task ReadLastNotifyingSequenceAsync_LaterEventsWithoutNotifications_ReturnsLastNotifying()
    {
        var none = await Store.ReadLastNotifyingSequenceAsync();
        await Store.AppendAsync(StoredEvents.Entitlement(null, null, "tx-none"));
        await Store.AppendAsync(StoredEvents.NotifyingGrant(Guid.NewGuid(), "tx-a"));
        await Store.AppendAsync(StoredEvents.Entitlement(null, null, "tx-none-2"));

        var last = await Store.ReadLastNotifyingSequenceAsync();

        Assert.Equal(0, none);
        Assert.Equal(2, last);
    }

    [Fact]
    public async Task WriteConsumerPositionAsync_SmallerPosition_KeepsLarger()
    {
        var before = await Store.FindConsumerPositionAsync("relay");

        await Store.WriteConsumerPositionAsync("relay", 7);
        await Store.WriteConsumerPositionAsync("relay", 5);
        await Store.WriteConsumerPositionAsync("webhook-a", 2);

        Assert.Null(before);
        Assert.Equal(7, await Store.FindConsumerPositionAsync("relay"));
        Assert.Equal(2, await Store.FindConsumerPositionAsync("webhook-a"));
        Assert.Null(await Store.FindConsumerPositionAsync("webhook-b"));
    }

    [Fact]
    public async Task LinkPlatformUserAsync_ToAnExistingPlayer_DrawsNoPlayerId()
    {
        var first = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-a", null, null, Now);
        var second = await Store.LinkPlatformUserAsync(Platform.XboxLive, "xbox-a", null, first.Link.PlayerUuid, Now);
        var third = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-b", null, null, Now);

        // The second link names the first player: no new player, and the next new one is player 2 on both engines
        // (SQLite's ignored insert drew an id from its AUTOINCREMENT sequence, and the next player was 3).
        Assert.Equal([1L, 1L, 2L], new[] { first, second, third }.Select(r => r.Link.PlayerId));
        Assert.Equal(new PlayerInfo(third.Link.PlayerUuid, 2, Now), await Store.ReadPlayerByIdAsync(2));
    }

    [Fact]
    public async Task LinkPlatformUserAsync_NewUsers_CreatesPlayersWithSequentialIds()
    {
        var first = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-a", "Alice", null, Now);
        var second = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-b", null, null, Now);
        var third = await Store.LinkPlatformUserAsync(Platform.XboxLive, "xbox-c", "Carol", null, Now);

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
        Assert.Equal(expected, await Store.ReadPlatformUserAsync(Platform.Steam, "steam-a"));
        Assert.Equal(new PlayerInfo(first.Link.PlayerUuid, 1, Now), await Store.ReadPlayerAsync(first.Link.PlayerUuid));
        Assert.Equal(new PlayerInfo(second.Link.PlayerUuid, 2, Now), await Store.ReadPlayerByIdAsync(2));
        Assert.Null(await Store.ReadPlayerByIdAsync(4));
        Assert.Null(await Store.ReadPlatformUserAsync(Platform.Steam, "steam-z"));
    }

    [Fact]
    public async Task LinkPlatformUserAsync_ExistingLink_KeepsIt()
    {
        var first = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-a", "Alice", null, Now);

        var again = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-a", null, null, Now.AddHours(1));
        var same = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-a", "Alice", first.Link.PlayerUuid, Now.AddHours(1));
        var renamed = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-a", "Alicia", null, Now.AddHours(1));
        var next = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-b", null, null, Now);

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
        var steam = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-a", null, null, Now);

        var xbox = await Store.LinkPlatformUserAsync(Platform.XboxLive, "xbox-a", null, steam.Link.PlayerUuid, Now);

        Assert.True(xbox.Created);
        Assert.Equal(steam.Link.PlayerUuid, xbox.Link.PlayerUuid);
        Assert.Equal(1, xbox.Link.PlayerId);
        Assert.Null(await Store.ReadPlayerByIdAsync(2));
    }

    [Fact]
    public async Task WriteCatalogSkuAsync_Twice_IncrementsRevision()
    {
        var sku = CatalogEntry("gems-pack", "Gems");

        var first = await Store.WriteCatalogSkuAsync(sku);
        var second = await Store.WriteCatalogSkuAsync(sku with { ItemName = "More Gems", Revision = 99 });
        var read = await Store.ReadCatalogSkuAsync(Platform.Steam, "gems-pack");

        Assert.Equal(1, first.Revision);
        Assert.Equal(2, second.Revision);
        Assert.NotNull(read);
        Assert.Equal(new Dictionary<string, string> { ["tier"] = "gold" }, read.CustomData);
        Assert.Equal(sku with { ItemName = "More Gems", Revision = 2, CustomData = read.CustomData }, read);
        Assert.Null(await Store.ReadCatalogSkuAsync(Platform.XboxLive, "gems-pack"));
    }

    [Fact]
    public async Task LinkPlatformUserAsync_UserIdOfRallyHeresMaximumLengthInThreeByteCharacters_IsLinkedFoundAndRelinked()
    {
        // 2,048 characters of 3 bytes each that do not compress: more than one PostgreSQL B-tree entry may hold.
        var id = LongMultiByteText(seed: 2048);
        var other = await Store.LinkPlatformUserAsync(Platform.Steam, "steam-other", null, null, Now);

        var linked = await Store.LinkPlatformUserAsync(Platform.Steam, id, "Long", null, Now);
        var again = await Store.LinkPlatformUserAsync(Platform.Steam, id, null, null, Now.AddHours(1));
        var renamed = await Store.LinkPlatformUserAsync(Platform.Steam, id, "Longer", null, Now.AddHours(1));
        var moved = await Store.LinkPlatformUserAsync(Platform.Steam, id, null, other.Link.PlayerUuid, Now.AddHours(1));

        Assert.True(linked.Created);
        Assert.Equal((id, "Long", 2L), (linked.Link.PlatformUserId, linked.Link.DisplayName, linked.Link.PlayerId));
        Assert.Equal((false, linked.Link), (again.Created, again.Link));
        Assert.Equal(linked.Link with { DisplayName = "Longer" }, renamed.Link);
        Assert.Equal((other.Link.PlayerUuid, "Longer"), (moved.Link.PlayerUuid, moved.Link.DisplayName));
        Assert.Equal(moved.Link, await Store.ReadPlatformUserAsync(Platform.Steam, id));
        Assert.Null(await Store.ReadPlatformUserAsync(Platform.Steam, id[..^1]));
        Assert.Null(await Store.ReadPlatformUserAsync(Platform.XboxLive, id));
    }

    [Fact]
    public async Task WriteCatalogSkuAsync_SkuOfRallyHeresMaximumLengthInThreeByteCharacters_IsWrittenReadAndRevised()
    {
        var sku = LongMultiByteText(seed: 2049);

        var first = await Store.WriteCatalogSkuAsync(CatalogEntry(sku, "Long"));
        var second = await Store.WriteCatalogSkuAsync(CatalogEntry(sku, "Longer"));
        var seeded = await Store.SeedCatalogAsync([CatalogEntry(sku, "Seeded")]);

        Assert.Equal((1L, 2L, 0), (first.Revision, second.Revision, seeded));
        var read = await Store.ReadCatalogSkuAsync(Platform.Steam, sku);
        Assert.Equal((sku, "Longer", 2L), (read!.Sku, read.ItemName, read.Revision));
        Assert.Null(await Store.ReadCatalogSkuAsync(Platform.Steam, sku[..^1]));
        Assert.Null(await Store.ReadCatalogSkuAsync(Platform.XboxLive, sku));
    }

    [Fact]
    public async Task SeedCatalogAsync_SomeEntriesPresent_InsertsOnlyMissingEntries()
    {
        await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Gems"));
        await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Edited Gems"));

        var inserted = await Store.SeedCatalogAsync([CatalogEntry("gems-pack", "Seeded Gems"), CatalogEntry("season-pass", "Season Pass")]);
        var again = await Store.SeedCatalogAsync([CatalogEntry("gems-pack", "Seeded Gems"), CatalogEntry("season-pass", "Season Pass")]);

        Assert.Equal(1, inserted);
        Assert.Equal(0, again);
        var kept = await Store.ReadCatalogSkuAsync(Platform.Steam, "gems-pack");
        var seeded = await Store.ReadCatalogSkuAsync(Platform.Steam, "season-pass");
        Assert.Equal("Edited Gems", kept!.ItemName);
        Assert.Equal(2, kept.Revision);
        Assert.Equal("Season Pass", seeded!.ItemName);
        Assert.Equal(1, seeded.Revision);
    }

    [Fact]
    public async Task ReadCursorKeyAsync_CalledTwiceAndAfterReopen_ReturnsSameKey()
    {
        var first = await Store.ReadCursorKeyAsync();
        var second = await Store.ReadCursorKeyAsync();
        await CloseAsync(Store);
        var reopened = await OpenAsync();
        await reopened.InitializeAsync();
        var third = await reopened.ReadCursorKeyAsync();

        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
        Assert.Equal(first, third);
    }

    [Fact]
    public async Task ReadCursorKeyAsync_AnotherDatabase_ReturnsAnotherKey()
    {
        var other = await OpenOtherDatabaseAsync();
        await other.InitializeAsync();

        Assert.NotEqual(await Store.ReadCursorKeyAsync(), await other.ReadCursorKeyAsync());
    }

    [Fact]
    public async Task WriteSnapshotAsync_OlderThanStored_KeepsNewer()
    {
        var player = Guid.NewGuid();
        var newer = new LedgerState { Version = 10 };

        await Store.WriteSnapshotAsync(new LedgerSnapshot(player, newer));
        await Store.WriteSnapshotAsync(new LedgerSnapshot(player, new LedgerState { Version = 5 }));
        var read = await Store.ReadSnapshotAsync(player);

        Assert.Equal(10, read!.State.Version);
        Assert.Empty(read.State.Items);
        Assert.Null(await Store.ReadSnapshotAsync(Guid.NewGuid()));
    }

    /// <summary>2,048 CJK characters (3 bytes each in UTF-8), at random: RallyHere's longest platform user id or SKU, as incompressible as text gets.</summary>
    private static string LongMultiByteText(int seed)
    {
        var random = new Random(seed);
        return new string([.. Enumerable.Range(0, 2048).Select(_ => (char)random.Next(0x4E00, 0x9FA6))]);
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

    private static LedgerEvent WithoutNotifications(LedgerEvent e) => e with { EntitlementUpdated = null, RevocationCompleted = null };

    /// <summary>An event's notification messages as JSON, to compare them (they have no value equality).</summary>
    private static (string? Updated, string? Revoked) NotificationsOf(LedgerEvent e) =>
        (e.EntitlementUpdated is { } updated ? NotificationJson.Serialize(updated) : null,
         e.RevocationCompleted is { } revoked ? NotificationJson.Serialize(revoked) : null);
}
