using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Storage;

namespace Entitlements.Tests.Storage;

/// <summary>Group commit: appends that queue while a batch commits share one transaction, each with its own outcome.</summary>
public abstract partial class LedgerStoreContractTests
{
    private static readonly TimeSpan BatchDeadline = TimeSpan.FromSeconds(30);

    /// <summary>The engine's name in the metrics' <c>db.system.name</c> tag.</summary>
    protected abstract string EngineName { get; }

    private LedgerGroupCommit Appends => ((IGroupCommittingStore)Store).Appends;

    /// <summary>
    /// Hold <paramref name="store"/>'s first group-commit batch until the returned source is set, so that
    /// the appends started meanwhile queue into the next batch; <paramref name="held"/> completes once
    /// the first batch is held.
    /// </summary>
    internal static TaskCompletionSource HoldFirstBatch(ILedgerStore store, out Task held)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batches = 0;
        ((IGroupCommittingStore)store).Appends.TestHookBeforeBatch = _ =>
        {
            if (Interlocked.Increment(ref batches) != 1)
            {
                return Task.CompletedTask;
            }

            holding.SetResult();
            return release.Task;
        };
        held = holding.Task;
        return release;
    }

    [Fact]
    public async Task AppendAsync_LoneAppend_CommitsInABatchOfItsOwn()
    {
        using var batches = new BatchSizeRecorder(Appends.Metrics.Meter);

        var (outcome, appended) = await Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-1"));

        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal(1, appended!.Sequence);
        Assert.Equal([1], batches.Sizes);
        Assert.Equal([EngineName], batches.Engines);
    }

    [Fact]
    public async Task AppendAsync_AppendsQueuedWhileABatchCommits_ShareOneBatchWithTheirOwnOutcomes()
    {
        var player = Guid.NewGuid();
        await Store.AppendAsync(StoredEvents.Entitlement(player, 1, "tx-p1"));
        await Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-taken"));
        using var batches = new BatchSizeRecorder(Appends.Metrics.Meter);
        var release = HoldFirstBatch(Store, out var held);
        var first = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-first"));
        await held.WaitAsync(BatchDeadline);

        var next = StoredEvents.Entitlement(player, 2, "tx-p2");
        var sameVersion = StoredEvents.Entitlement(player, 2, "tx-p2-rival");
        var takenTransaction = StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-taken");
        var other = StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-other");
        var sameTransaction = StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-other");
        var unassigned = StoredEvents.Entitlement(null, null, "tx-unassigned");
        var queued = new[] { next, sameVersion, takenTransaction, other, sameTransaction, unassigned }
            .Select(e => Store.AppendAsync(e))
            .ToList();
        var queuedWhileHeld = Appends.QueuedCount;
        release.SetResult();
        var firstResult = await first.WaitAsync(BatchDeadline);
        var results = await Task.WhenAll(queued).WaitAsync(BatchDeadline);

        Assert.Equal(6, queuedWhileHeld);
        Assert.Equal([1, 6], batches.Sizes);
        Assert.Equal((AppendOutcome.Appended, 3L), (firstResult.Outcome, firstResult.Appended!.Sequence));
        Assert.Equal(
            [
                (AppendOutcome.Appended, (long?)4),
                (AppendOutcome.VersionConflict, null),
                (AppendOutcome.DuplicateKey, null),
                (AppendOutcome.Appended, 5),
                (AppendOutcome.DuplicateKey, null),
                (AppendOutcome.Appended, 6),
            ],
            results.Select(r => (r.Outcome, r.Appended?.Sequence)));
        Assert.Equal(next with { Sequence = 4 }, results[0].Appended);
        Assert.Equal([1L, 2L], (await Store.ReadPlayerEventsAsync(player, 0, 10)).Select(e => e.Version!.Value));
        var all = await Store.ReadAllEntitlementEventsAsync(2, 10);
        Assert.Equal(
            [(3L, firstResult.Appended.EventId), (4L, next.EventId), (5L, other.EventId), (6L, unassigned.EventId)],
            all.Select(e => (e.Sequence, e.EventId)));
    }

    [Fact]
    public async Task AppendAsync_CancelledWhileQueued_IsDroppedWhileTheOthersCommit()
    {
        using var batches = new BatchSizeRecorder(Appends.Metrics.Meter);
        var release = HoldFirstBatch(Store, out var held);
        var first = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-first"));
        await held.WaitAsync(BatchDeadline);
        using var cancellation = new CancellationTokenSource();
        var dropped = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-dropped"), cancellation.Token);
        var kept = Store.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-kept"));

        await cancellation.CancelAsync();
        var droppedCancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped).WaitAsync(BatchDeadline);
        release.SetResult();
        var (firstOutcome, _) = await first.WaitAsync(BatchDeadline);
        var (keptOutcome, keptAppended) = await kept.WaitAsync(BatchDeadline);

        Assert.Equal(cancellation.Token, droppedCancelled.CancellationToken);
        Assert.Equal(AppendOutcome.Appended, firstOutcome);
        Assert.Equal(AppendOutcome.Appended, keptOutcome);
        Assert.Equal(2, keptAppended!.Sequence);
        Assert.Equal([1, 1], batches.Sizes);
        Assert.Empty(await Store.ReadTransactionAsync(Contracts.Platform.Steam, "tx-dropped"));
    }

    [Fact]
    public async Task AppendAsync_StoreClosedAfterTheAppendQueuedAndBeforeTheCommitterStarted_IsCommittedBeforeTheCloseReturns()
    {
        var closing = await OpenAsync();
        await closing.InitializeAsync();
        var queued = StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-queued");
        int? committedWhenClosed = null;
        // Closed in the one place where another thread's close could find the append queued and no
        // committer started: the close must commit it, not leave it to a committer on a closed store.
        ((IGroupCommittingStore)closing).Appends.TestHookQueued = () =>
        {
            CloseAsync(closing).AsTask().GetAwaiter().GetResult();
            committedWhenClosed = Store.ReadTransactionAsync(Contracts.Platform.Steam, "tx-queued").GetAwaiter().GetResult().Count;
        };

        var (outcome, appended) = await closing.AppendAsync(queued).WaitAsync(BatchDeadline);

        Assert.Equal(1, committedWhenClosed);
        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal(queued with { Sequence = 1 }, appended);
        Assert.Equal([queued with { Sequence = 1 }], await Store.ReadTransactionAsync(Contracts.Platform.Steam, "tx-queued"));
    }

    [Fact]
    public async Task AppendAsync_AfterTheStoreClosed_FailsAsTransientlyUnavailableAndWritesNothing()
    {
        var closed = await OpenAsync();
        await closed.InitializeAsync();
        await CloseAsync(closed);

        var refused = await Assert.ThrowsAsync<StoreUnavailableException>(() => closed.AppendAsync(StoredEvents.Entitlement(Guid.NewGuid(), 1, "tx-after-close")));

        Assert.True(refused.IsTransient);
        Assert.Empty(await Store.ReadTransactionAsync(Contracts.Platform.Steam, "tx-after-close"));
    }

    [Fact]
    public async Task AppendAsync_ManyConcurrentWriters_CommitEveryEventGapFreeInBatches()
    {
        const int Writers = 64;
        const int EventsPerWriter = 5;
        using var batches = new BatchSizeRecorder(Appends.Metrics.Meter);

        // Each writer is one player appending its versions in turn, as a player grain does.
        async Task<List<LedgerEvent>> WriteAsync(int writer)
        {
            var player = Guid.NewGuid();
            var appended = new List<LedgerEvent>();
            for (var version = 1; version <= EventsPerWriter; version++)
            {
                var (outcome, ledgerEvent) = await Store.AppendAsync(StoredEvents.Entitlement(player, version, $"w{writer}-tx-{version}"));
                Assert.Equal(AppendOutcome.Appended, outcome);
                appended.Add(ledgerEvent!);
            }

            return appended;
        }

        var written = await Task.WhenAll(Enumerable.Range(0, Writers).Select(WriteAsync)).WaitAsync(BatchDeadline);
        var all = await Store.ReadAllEntitlementEventsAsync(0, Writers * EventsPerWriter + 1);

        const int Total = Writers * EventsPerWriter;
        Assert.Equal(Enumerable.Range(1, Total).Select(i => (long)i), all.Select(e => e.Sequence));
        Assert.Equal(
            written.SelectMany(events => events).OrderBy(e => e.Sequence).Select(e => (e.Sequence, e.EventId)),
            all.Select(e => (e.Sequence, e.EventId)));
        Assert.All(written, events =>
        {
            Assert.Equal([1L, 2L, 3L, 4L, 5L], events.Select(e => e.Version!.Value));
            Assert.Equal(events.Select(e => e.Sequence).Order(), events.Select(e => e.Sequence));
        });
        Assert.Equal(Total, batches.Sizes.Sum());
        Assert.InRange(batches.Sizes.Max(), 2, LedgerGroupCommit.MaxBatchSize);
    }
}
