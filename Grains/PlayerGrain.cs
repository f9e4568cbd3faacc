using System.Data.Common;
using System.Diagnostics;
using Entitlements.Contracts;
using Entitlements.Diagnostics;
using Entitlements.Ledger;
using Entitlements.Notifications;
using Entitlements.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Entitlements;

/// <summary>
/// One player's ledger. Holds the folded state in memory; every change is appended to the store
/// with the next version before the call returns, so a reply means the change is durable.
/// <para>
/// The Xbox consume interleaves with the other calls (it waits on Xbox for seconds), so one ledger
/// gate keeps every section that reads or changes the state in memory, loads it or appends one at a
/// time: each other call as a whole, and the consume's sections between its Xbox calls, never across
/// one. No section calls this grain or waits for anything that needs the grain's turn, so a call
/// waiting for the gate always gets it.
/// </para>
/// </summary>
public sealed partial class PlayerGrain(
    ILedgerStore store,
    IOptions<LedgerOptions> options,
    IOptions<NotificationOptions> notificationOptions,
    TimeProvider time,
    GrainMetrics metrics,
    ILogger<PlayerGrain> logger) : Grain, IPlayerGrain, IDisposable
{
    // One more than the conflicts a decision may meet. An entitlement event is refused when its transaction
    // changed since it was decided, so each such refusal means one more event of the transaction; there are
    // at most four (one per action type), and once the event's own is there the next decision is a replay,
    // not an append: at most four refusals, one version conflict (another activation, after a silo failure).
    private const int MaxAttempts = 6;
    private const int ReadPage = 1000;
    private PlayerInfo? _player;
    private LedgerState _state = LedgerState.Empty;
    private long _snapshotVersion;
    private INotificationRelayGrain? _relay;

    /// <summary>Taken by every ledger section (see the class comment); not re-entrant: a section never takes it again.</summary>
    private readonly SemaphoreSlim _ledger = new(1, 1);

    private Guid PlayerUuid => this.GetPrimaryKey();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Outside the ledger gate: Orleans starts no call, interleaving or not, before activation ends.
        try
        {
            await LoadAsync(cancellationToken);
        }
        catch (Exception exception) when (IsTransient(exception))
        {
            // The store is unreachable: activate unloaded; the call loads again and fails or succeeds on its own.
            LogLoadFailed(logger, exception, PlayerUuid);
        }
        catch (DbException exception)
        {
            // Any other store failure fails the waiting calls: as a failure a caller in another process can read.
            throw StoreFailureCallFilter.Unavailable(exception);
        }
    }

    public async Task<EntitlementEventResult> SubmitEntitlementEventAsync(SubmitEntitlementEvent command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command = command.ToStorable();
        var started = metrics.Time.GetTimestamp();
        var result = await InLedgerAsync(() => DecideEntitlementEventAsync(command));
        if (command.ActionType == EntitlementActionType.Grant)
        {
            metrics.GrantCompleted(started, GrainMetrics.OutcomeTag(result.Outcome));
        }

        return result;
    }

    private async Task<EntitlementEventResult> DecideEntitlementEventAsync(SubmitEntitlementEvent command)
    {
        if (!await EnsurePlayerAsync())
        {
            return new EntitlementEventResult(EntitlementEventOutcome.UnknownPlayer, null);
        }

        // A grant is nearly always the first event of its transaction: decide it so without reading the
        // transaction, on the condition that the store finds none of it (else the store refuses it as a
        // duplicate and the next attempt reads the transaction: a replay, or a grant after its refund).
        var optimistic = command.ActionType == EntitlementActionType.Grant;
        return await DecideAndAppendAsync(
            async () =>
            {
                IReadOnlyList<LedgerEvent> transaction = [];
                if (!optimistic)
                {
                    (transaction, var answered) = await ReadTransactionAsync(command);
                    if (answered is not null)
                    {
                        return (answered, null);
                    }

                    if (transaction.Any(e => e.PlayerUuid == PlayerUuid && e.Version > _state.Version))
                    {
                        // Another activation of this player appended after this one loaded (possible briefly
                        // when a silo fails): decide on the ledger as it is, not on a state that lacks the grant.
                        await LoadAsync(CancellationToken.None);
                        if (_player is null)
                        {
                            return (new EntitlementEventResult(EntitlementEventOutcome.UnknownPlayer, null), null);
                        }

                        // And on the transaction as it is now: the other activation may have appended more of it
                        // between the read and the load, and a state that holds a chargeback decided with a
                        // transaction that lacks it would revoke the grant a second time. Read after the load, any
                        // newer event of it is above the state's version, and the append then meets a version conflict.
                        (transaction, answered) = await ReadTransactionAsync(command);
                        if (answered is not null)
                        {
                            return (answered, null);
                        }
                    }
                }

                var catalog = await GrainFactory.Reference<ICatalogSkuGrain>(ICatalogSkuGrain.Key(command.Platform, command.Sku)).GetAsync();
                LedgerEvent decided;
                try
                {
                    decided = EntitlementDecider.DecideEntitlementEvent(_state, _player!, command, catalog, transaction, NewEventId(), Now());
                }
                catch (BalanceLimitException) when (optimistic)
                {
                    // Refused (a balance past 64 bits) before the transaction was read: a retry of a grant already
                    // recorded is its replay, and a grant after its refund gives nothing; only the transaction says.
                    optimistic = false;
                    (transaction, var answered) = await ReadTransactionAsync(command);
                    if (answered is not null)
                    {
                        return (answered, null);
                    }

                    decided = EntitlementDecider.DecideEntitlementEvent(_state, _player!, command, catalog, transaction, NewEventId(), Now());
                }

                // Appended only onto the transaction it was decided with (none of it, for the optimistic grant):
                // an event of it committed since the read, for whatever player, may change the decision (a refund
                // recorded for another player before this grant blocks it), so the store then refuses the append
                // and the next attempt reads the transaction again.
                optimistic = false;
                return (null, decided with { TransactionEventsRead = transaction.Count });
            },
            appended => new EntitlementEventResult(EntitlementEventOutcome.Recorded, appended.Entitlement));
    }

    /// <summary>
    /// Read the command's transaction, and with it the answer it already has, if any: its replay (or conflict),
    /// or, for an event that follows a grant, the other player who holds that grant (<see cref="HeldByAnotherPlayer"/>).
    /// Null when the command is to be decided.
    /// </summary>
    private async Task<(IReadOnlyList<LedgerEvent> Transaction, EntitlementEventResult? Answered)> ReadTransactionAsync(SubmitEntitlementEvent command)
    {
        var transaction = await store.ReadTransactionAsync(command.Platform, command.PlatformTransactionId);
        return (transaction, EntitlementEventReplay.Find(transaction, command) ?? HeldByAnotherPlayer(command, transaction));
    }

    /// <summary>
    /// A refund, chargeback or reversal belongs to the player its transaction's grant was recorded for, whatever
    /// player it names. The router found none, or another, and the grant was committed since (for another
    /// player): record nothing here, and tell the router whose it is. Decided with no grant in view, the
    /// event's append is refused when a grant (any event of the transaction) is committed meanwhile
    /// (<see cref="LedgerEvent.TransactionEventsRead"/>), and the next decision gets here.
    /// </summary>
    private EntitlementEventResult? HeldByAnotherPlayer(SubmitEntitlementEvent command, IReadOnlyList<LedgerEvent> transaction) =>
        command.FollowsGrant() && LedgerTransaction.GrantOf(transaction) is { PlayerUuid: { } holder } grant && holder != PlayerUuid
            ? new EntitlementEventResult(EntitlementEventOutcome.GrantHeldByAnotherPlayer, grant.Entitlement)
            : null;

    public Task<PlayerEntitlements?> GetEntitlementsAsync() => InLedgerAsync(async () =>
    {
        if (!await EnsurePlayerAsync())
        {
            return null;
        }

        return new PlayerEntitlements(
            PlayerUuid,
            _state.Version,
            [.. _state.Items.Values.Select(holding => LedgerFold.ToEntitlement(PlayerUuid, holding))]);
    });

    public Task<PlayerInfo?> GetInfoAsync() => InLedgerAsync(async () => await EnsurePlayerAsync() ? _player : null);

    public Task<ConsumeResult> ConsumeAsync(ConsumeEntitlement command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.ThrowIfNotStorable();
        return InLedgerAsync(() => ConsumeInLedgerAsync(command));
    }

    private async Task<ConsumeResult> ConsumeInLedgerAsync(ConsumeEntitlement command)
    {
        if (!await EnsurePlayerAsync())
        {
            return new ConsumeResult(ConsumeOutcome.UnknownPlayer, null);
        }

        var fingerprint = RequestFingerprint.Of(command);
        return await DecideAndAppendAsync(
            async () =>
            {
                if (await store.ReadOperationAsync(PlayerUuid, command.OperationId) is { } existing)
                {
                    if (existing.RequestFingerprint != fingerprint)
                    {
                        return (new ConsumeResult(ConsumeOutcome.Conflict, null), null);
                    }

                    if (existing.Version > _state.Version)
                    {
                        // Another activation of this player recorded the consume after this one loaded (possible
                        // briefly when a silo fails): the replay answers with the ledger as it is, consume included.
                        await LoadAsync(CancellationToken.None);
                        if (_player is null)
                        {
                            return (new ConsumeResult(ConsumeOutcome.UnknownPlayer, null), null);
                        }
                    }

                    return (new ConsumeResult(ConsumeOutcome.Replayed, Entitlement(command.ItemId)), null);
                }

                var (decided, rejection) = EntitlementDecider.DecideConsume(_state, PlayerUuid, command, NewEventId(), Now());
                return decided is null ? (new ConsumeResult(rejection, Entitlement(command.ItemId)), null) : (null, decided);
            },
            _ => new ConsumeResult(ConsumeOutcome.Consumed, Entitlement(command.ItemId)));
    }

    public void Dispose()
    {
        // This silo's gauge stops reporting the player's unsettled consume: its next call, wherever it runs, reports it again.
        metrics.XboxConsumesSettled(PlayerUuid);
        _ledger.Dispose();
        _xboxTurn.Dispose();
    }

    /// <summary>
    /// Run <paramref name="section"/> holding the ledger gate: no other section of this activation runs
    /// meanwhile, so the state it reads is the state it appends to, and a load (<see cref="Forget"/>
    /// first) is never seen half done. A section calls no other section: the gate is not re-entrant.
    /// </summary>
    private async Task<T> InLedgerAsync<T>(Func<Task<T>> section)
    {
        await _ledger.WaitAsync();
        try
        {
            return await section();
        }
        finally
        {
            _ledger.Release();
        }
    }

    /// <summary>
    /// Decide, then append what was decided. <paramref name="decide"/> answers either without writing
    /// (a replay or a rejection) or with an event. A version conflict (another activation wrote first)
    /// reloads the state and decides again; a duplicate key (the same request recorded meanwhile)
    /// decides again, which then finds the recorded event.
    /// </summary>
    private async Task<TResult> DecideAndAppendAsync<TResult>(
        Func<Task<(TResult? Answer, LedgerEvent? Decided)>> decide, Func<LedgerEvent, TResult> onAppended)
        where TResult : class
    {
        var retried = false;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (answer, decided) = await decide();
            if (decided is null)
            {
                return answer!;
            }

            // The notifications are written with the event: the ledger is their outbox.
            decided = NotificationFactory.Attach(decided, _state, notificationOptions.Value, Activity.Current?.TraceId.ToHexString());
            LedgerEvent? appended;
            AppendOutcome outcome;
            try
            {
                (outcome, appended) = await store.AppendAsync(decided);
            }
            catch (Exception exception)
            {
                // The outcome is unknown: the commit may have happened with its acknowledgement lost. The
                // state in memory may therefore lack an event that is in the ledger: forget it, so that the
                // next call reads the ledger again. A retry of the same request is safe (its transaction
                // id or operation id finds the event if it was committed).
                LogAppendFailed(logger, exception, PlayerUuid, decided.Version ?? 0);
                Forget();
                if (retried || attempt == MaxAttempts - 1 || !IsDroppedConnection(exception))
                {
                    throw;
                }

                // Once, on a connection failure (a pooled connection the server dropped): read the ledger
                // again and decide again. If the first append was committed after all, the new decision
                // finds it (same transaction id or operation id) instead of appending it twice.
                retried = true;
                await LoadAsync(CancellationToken.None);
                continue;
            }

            switch (outcome)
            {
                case AppendOutcome.Appended:
                    await ApplyAsync(appended!);
                    if (appended!.EntitlementUpdated is not null || appended.RevocationCompleted is not null)
                    {
                        // Referenced once per activation: GetGrain reads the interface's attributes each time.
                        _relay ??= GrainFactory.GetGrain<INotificationRelayGrain>(0);
                        await _relay.WakeAsync();
                    }

                    return onAppended(appended);
                case AppendOutcome.VersionConflict:
                    LogVersionConflict(logger, PlayerUuid, decided.Version ?? 0);
                    await LoadAsync(CancellationToken.None);
                    break;
                case AppendOutcome.DuplicateKey:
                    break;
            }
        }

        throw new InvalidOperationException($"Player {PlayerUuid}: could not append after {MaxAttempts} attempts.");
    }

    private PlayerEntitlement? Entitlement(string itemId) =>
        _state.Items.TryGetValue(itemId, out var holding) ? LedgerFold.ToEntitlement(PlayerUuid, holding) : null;

    private async Task<bool> EnsurePlayerAsync()
    {
        if (_player is null)
        {
            try
            {
                await LoadAsync(CancellationToken.None);
            }
            catch (Exception exception) when (IsDroppedConnection(exception))
            {
                // Once more on a fresh connection: after a database restart the pool hands out dropped ones.
                LogLoadFailed(logger, exception, PlayerUuid);
                await LoadAsync(CancellationToken.None);
            }
        }

        return _player is not null;
    }

    /// <summary>
    /// State = the latest snapshot + every event after it. Nothing is kept unless every read succeeded:
    /// a load that fails half way (the store went away) leaves the grain unloaded, to load again next call.
    /// </summary>
    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Forget();
        var player = await store.ReadPlayerAsync(PlayerUuid, cancellationToken);
        if (player is null)
        {
            return;
        }

        var snapshot = await store.ReadSnapshotAsync(PlayerUuid, cancellationToken);
        var state = snapshot?.State ?? LedgerState.Empty;
        var snapshotVersion = state.Version;
        while (true)
        {
            var events = await store.ReadPlayerEventsAsync(PlayerUuid, state.Version, ReadPage, cancellationToken);
            state = LedgerFold.ApplyAll(state, events);
            if (events.Count < ReadPage)
            {
                break;
            }
        }

        (_player, _state, _snapshotVersion) = (player, state, snapshotVersion);
    }

    /// <summary>A failure of the connection to the store (refused, dropped, timed out, the server restarting), not of the request.</summary>
    private static bool IsTransient(Exception exception) => exception is DbException { IsTransient: true };

    /// <summary>
    /// A transient failure worth one immediate retry: not a timeout, which a retry would only repeat, and
    /// which would double the time the caller waits for its 503.
    /// </summary>
    private static bool IsDroppedConnection(Exception exception) => IsTransient(exception) && exception.InnerException is not TimeoutException;

    /// <summary>Drop the state in memory; the next call loads it from the ledger.</summary>
    private void Forget() => (_player, _state, _snapshotVersion) = (null, LedgerState.Empty, 0);

    private async Task ApplyAsync(LedgerEvent appended)
    {
        _state = LedgerFold.Apply(_state, appended);
        if (_state.Version - _snapshotVersion >= options.Value.SnapshotEvery)
        {
            try
            {
                await store.WriteSnapshotAsync(new LedgerSnapshot(PlayerUuid, _state));
                _snapshotVersion = _state.Version;
            }
            catch (Exception exception)
            {
                // The event is committed: the caller gets its answer. A snapshot is only a shortcut for
                // activation; the next append tries again.
                LogSnapshotFailed(logger, exception, PlayerUuid, _state.Version);
            }
        }
    }

    private DateTimeOffset Now() => LedgerClock.Now(time);

    private static string NewEventId() => Guid.CreateVersion7().ToString("D");
}
