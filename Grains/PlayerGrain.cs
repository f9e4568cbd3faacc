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
/// </summary>
public sealed partial class PlayerGrain(
    ILedgerStore store,
    IOptions<LedgerOptions> options,
    IOptions<NotificationOptions> notificationOptions,
    TimeProvider time,
    GrainMetrics metrics,
    ILogger<PlayerGrain> logger) : Grain, IPlayerGrain
{
    private const int MaxAttempts = 3;
    private const int ReadPage = 1000;
    private PlayerInfo? _player;
    private LedgerState _state = LedgerState.Empty;
    private long _snapshotVersion;

    private Guid PlayerUuid => this.GetPrimaryKey();

    public override async Task OnActivateAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<EntitlementEventResult> SubmitEntitlementEventAsync(SubmitEntitlementEvent command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var started = metrics.Time.GetTimestamp();
        var result = await DecideEntitlementEventAsync(command);
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

        return await DecideAndAppendAsync(
            async () =>
            {
                var transaction = await store.ReadTransactionAsync(command.Platform, command.PlatformTransactionId);
                if (EntitlementEventReplay.Find(transaction, command) is { } replay)
                {
                    return (replay, null);
                }

                var catalog = await GrainFactory.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(command.Platform, command.Sku)).GetAsync();
                return (null, EntitlementDecider.DecideEntitlementEvent(_state, _player!, command, catalog, transaction, NewEventId(), Now()));
            },
            appended => new EntitlementEventResult(EntitlementEventOutcome.Recorded, appended.Entitlement));
    }

    public async Task<PlayerEntitlements?> GetEntitlementsAsync()
    {
        if (!await EnsurePlayerAsync())
        {
            return null;
        }

        return new PlayerEntitlements(
            PlayerUuid,
            _state.Version,
            [.. _state.Items.Values.Select(holding => LedgerFold.ToEntitlement(PlayerUuid, holding))]);
    }

    public async Task<ConsumeResult> ConsumeAsync(ConsumeEntitlement command)
    {
        ArgumentNullException.ThrowIfNull(command);
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
                    return existing.RequestFingerprint == fingerprint
                        ? (new ConsumeResult(ConsumeOutcome.Replayed, Entitlement(command.ItemId)), null)
                        : (new ConsumeResult(ConsumeOutcome.Conflict, null), null);
                }

                var (decided, rejection) = EntitlementDecider.DecideConsume(_state, PlayerUuid, command, NewEventId(), Now());
                return decided is null ? (new ConsumeResult(rejection, Entitlement(command.ItemId)), null) : (null, decided);
            },
            _ => new ConsumeResult(ConsumeOutcome.Consumed, Entitlement(command.ItemId)));
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
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (answer, decided) = await decide();
            if (decided is null)
            {
                return answer!;
            }

            // The notifications are written with the event: the ledger is their outbox.
            decided = NotificationFactory.Attach(decided, _state, notificationOptions.Value, Activity.Current?.TraceId.ToHexString());
            var (outcome, appended) = await store.AppendAsync(decided);
            switch (outcome)
            {
                case AppendOutcome.Appended:
                    await ApplyAsync(appended!);
                    if (appended!.EntitlementUpdated is not null)
                    {
                        await GrainFactory.GetGrain<INotificationRelayGrain>(0).WakeAsync();
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
            await LoadAsync(CancellationToken.None);
        }

        return _player is not null;
    }

    /// <summary>State = the latest snapshot + every event after it.</summary>
    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        _player = await store.ReadPlayerAsync(PlayerUuid, cancellationToken);
        if (_player is null)
        {
            return;
        }

        var snapshot = await store.ReadSnapshotAsync(PlayerUuid, cancellationToken);
        var state = snapshot?.State ?? LedgerState.Empty;
        _snapshotVersion = state.Version;
        while (true)
        {
            var events = await store.ReadPlayerEventsAsync(PlayerUuid, state.Version, ReadPage, cancellationToken);
            state = LedgerFold.ApplyAll(state, events);
            if (events.Count < ReadPage)
            {
                break;
            }
        }

        _state = state;
    }

    private async Task ApplyAsync(LedgerEvent appended)
    {
        _state = LedgerFold.Apply(_state, appended);
        if (_state.Version - _snapshotVersion >= Math.Max(1, options.Value.SnapshotEvery))
        {
            await store.WriteSnapshotAsync(new LedgerSnapshot(PlayerUuid, _state));
            _snapshotVersion = _state.Version;
        }
    }

    private DateTimeOffset Now() => LedgerClock.Now(time);

    private static string NewEventId() => Guid.CreateVersion7().ToString("D");
}
