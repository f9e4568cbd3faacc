using System.Diagnostics;
using System.Threading.Channels;
using Entitlements.Contracts;
using Entitlements.Diagnostics;
using Entitlements.Ledger;

namespace Entitlements.Storage;

/// <summary>
/// Group commit of ledger appends, one per store (so one per silo). Appends queue up; one committer
/// loop takes everything queued (up to <see cref="MaxBatchSize"/>, first come first served) and hands
/// it to the engine, which writes the whole batch in one transaction with one durable commit and gives
/// each append its own outcome. There is no timer: an append that finds the committer idle is taken at
/// once, alone; appends that arrive while a batch commits form the next batch. Batches therefore grow
/// only with load, and a lone append waits for nothing but its own commit.
/// <para>
/// An append cancelled while it still waits in the queue is dropped; once in a batch it runs to the
/// end. When the engine throws (the transaction or its commit failed) every append of the batch fails
/// with that exception, as a lone append failed before group commit.
/// </para>
/// </summary>
internal sealed class LedgerGroupCommit : IAsyncDisposable
{
    /// <summary>The most appends one transaction takes; later ones wait for the next batch.</summary>
    public const int MaxBatchSize = 256;

    // Not SingleReader: only the multi-reader channel can count what it holds (QueuedCount).
    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>();
    private readonly string _engine;
    private readonly LedgerMetrics _metrics;
    private readonly Func<IReadOnlyList<LedgerEvent>, Task<GroupAppendResult[]>> _commit;
    private readonly Lazy<Task> _committer;

    /// <param name="engine">The engine's name for the metrics' <see cref="LedgerMetrics.EngineTag"/>.</param>
    /// <param name="metrics">Where each batch's size and duration go.</param>
    /// <param name="commit">
    /// Writes a batch in one transaction and returns one result per event, in order; throws when the
    /// transaction failed as a whole. Called by one batch at a time, never on the caller's thread.
    /// </param>
    public LedgerGroupCommit(string engine, LedgerMetrics metrics, Func<IReadOnlyList<LedgerEvent>, Task<GroupAppendResult[]>> commit)
    {
        _engine = engine;
        _metrics = metrics;
        _commit = commit;
        // Started on the thread pool: an engine that blocks (SQLite) must never block an Orleans scheduler thread.
        _committer = new Lazy<Task>(() => Task.Run(RunAsync), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public LedgerMetrics Metrics => _metrics;

    /// <summary>
    /// Test seam: awaited by the committer before it commits each batch, with the batch's events. A test
    /// holds the first batch here so that the appends it starts meanwhile queue into one batch.
    /// </summary>
    internal Func<IReadOnlyList<LedgerEvent>, Task>? TestHookBeforeBatch { get; set; }

    /// <summary>
    /// Test seam: called by <see cref="AppendAsync"/> once the append is queued, before it starts the
    /// committer. A test closes the store here, where a store closed by another thread could find the
    /// append queued and no committer yet.
    /// </summary>
    internal Action? TestHookQueued { get; set; }

    /// <summary>Appends waiting for a batch.</summary>
    internal int QueuedCount => _queue.Reader.Count;

    /// <summary>Queue an append (synchronously: it is in the queue when this returns) and wait for its batch's commit.</summary>
    public Task<(AppendOutcome Outcome, LedgerEvent? Appended)> AppendAsync(LedgerEvent ledgerEvent, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<(AppendOutcome, LedgerEvent?)>(cancellationToken);
        }

        var pending = new PendingAppend(ledgerEvent, cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            // Nothing was written: the caller may retry elsewhere (a 503), which it could not do with a bare ObjectDisposedException (a 500).
            return Task.FromException<(AppendOutcome, LedgerEvent?)>(StoreClosed());
        }

        TestHookQueued?.Invoke();
        _ = _committer.Value;
        return pending.Task;
    }

    /// <summary>
    /// Take no more appends, and return once every queued one is committed. The committer is started
    /// here if no append has started it yet: an append queues first and starts the committer after, so
    /// one closed in between would otherwise be left in the queue, to be taken by a committer started
    /// on a closed store (the store then failed it, and its caller answered 500). Started on a completed, empty queue the committer ends at once.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _committer.Value.ConfigureAwait(false);
    }

    /// <summary>What a write on a closed store fails with: the silo is stopping and nothing was written.</summary>
    internal static StoreUnavailableException StoreClosed() =>
        new("The ledger store is closed: this silo is shutting down.") { IsTransient = true };

    private async Task RunAsync()
    {
        var batch = new List<PendingAppend>(MaxBatchSize);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatchSize && _queue.Reader.TryRead(out var pending))
            {
                if (pending.TryTake())
                {
                    batch.Add(pending);
                }
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitAsync(List<PendingAppend> batch)
    {
        var events = batch.ConvertAll(pending => pending.Event);
        GroupAppendResult[] results;
        try
        {
            if (TestHookBeforeBatch is { } hook)
            {
                await hook(events).ConfigureAwait(false);
            }

            var started = Stopwatch.GetTimestamp();
            results = await _commit(events).ConfigureAwait(false);
            _metrics.RecordBatch(_engine, batch.Count, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception exception)
        {
            // Whatever failed the transaction is every append's answer; the committer itself must go on.
            foreach (var pending in batch)
            {
                pending.Fail(exception);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Complete(results[i]);
        }
    }

    /// <summary>One append waiting for its batch: queued, then taken by a batch or cancelled, never both.</summary>
    private sealed class PendingAppend
    {
        private const int Queued = 0;
        private const int Taken = 1;
        private const int Cancelled = 2;

        private readonly TaskCompletionSource<(AppendOutcome, LedgerEvent?)> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;
        private int _state;

        public PendingAppend(LedgerEvent ledgerEvent, CancellationToken cancellationToken)
        {
            Event = ledgerEvent;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.Register(static (state, token) => ((PendingAppend)state!).Cancel(token), this);
            }
        }

        public LedgerEvent Event { get; }

        public Task<(AppendOutcome, LedgerEvent?)> Task => _completion.Task;

        /// <summary>Claim the append for a batch; false when it was cancelled first.</summary>
        public bool TryTake()
        {
            if (Interlocked.CompareExchange(ref _state, Taken, Queued) != Queued)
            {
                return false;
            }

            _registration.Unregister();
            return true;
        }

        public void Complete(GroupAppendResult result)
        {
            if (result.Error is { } error)
            {
                _completion.TrySetException(error);
            }
            else
            {
                _completion.TrySetResult((result.Outcome, result.Appended));
            }
        }

        public void Fail(Exception exception) => _completion.TrySetException(exception);

        private void Cancel(CancellationToken cancellationToken)
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
            {
                _completion.TrySetCanceled(cancellationToken);
            }
        }
    }
}
