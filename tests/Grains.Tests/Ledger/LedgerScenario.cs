using Entitlements.Contracts;
using Entitlements.Ledger;

namespace Entitlements.Tests.Ledger;

/// <summary>
/// One player's ledger driven the way <c>PlayerGrain</c> drives it, with no infrastructure: decide,
/// fold, and keep every event so that later decisions see their transaction. Event ids are
/// <c>evt-1</c>, <c>evt-2</c>, ... and each event is one second after the previous one. The events kept
/// have the sequence the store would give them (1, 2, ...); the events returned have none, as decided.
/// </summary>
internal sealed class LedgerScenario
{
    public const string PlatformUserId = "steam-user-1";
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<LedgerEvent> _events = [];
    private int _count;

    public PlayerInfo Player { get; } = new(Guid.Parse("6f1c2a7e-0d4b-4c55-9a43-2f1b8f3e9d10"), 42, Start);

    public LedgerState State { get; private set; } = LedgerState.Empty;

    public IReadOnlyList<LedgerEvent> Events => _events;

    public static SubmitEntitlementEvent Command(
        EntitlementActionType action,
        string transactionId,
        string sku,
        long quantity = 1,
        EntitlementEventStatus? status = null) => new()
        {
            ActionType = action,
            Status = status,
            Platform = Platform.Steam,
            PlatformUserId = PlatformUserId,
            Sku = sku,
            Quantity = quantity,
            PlatformTransactionId = transactionId,
        };

    public LedgerEvent Submit(
        EntitlementActionType action,
        string transactionId,
        CatalogSku? catalog,
        long quantity = 1,
        EntitlementEventStatus? status = null) =>
        Submit(Command(action, transactionId, catalog?.Sku ?? "unknown-sku", quantity, status), catalog);

    public LedgerEvent Submit(SubmitEntitlementEvent command, CatalogSku? catalog)
    {
        var (eventId, now) = Next();
        var decided = EntitlementDecider.DecideEntitlementEvent(State, Player, command, catalog, Transaction(command), eventId, now);
        State = LedgerFold.Apply(State, decided);
        Keep(decided);
        return decided;
    }

    /// <summary>
    /// Record an event the way <c>EntitlementEventsGrain</c> records one whose platform user is linked to nobody
    /// (<c>player_not_found</c>, no player): kept in the ledger for later decisions, not folded.
    /// </summary>
    public LedgerEvent SubmitUnassigned(
        EntitlementActionType action,
        string transactionId,
        CatalogSku? catalog,
        long quantity = 1,
        EntitlementEventStatus? status = null)
    {
        var (eventId, now) = Next();
        var command = Command(action, transactionId, catalog?.Sku ?? "unknown-sku", quantity, status);
        var decided = EntitlementDecider.DecideUnassigned(command, catalog, Transaction(command), eventId, now);
        Keep(decided);
        return decided;
    }

    private List<LedgerEvent> Transaction(SubmitEntitlementEvent command) =>
        _events
            .Where(e => e.Entitlement is { } record
                && record.Platform == command.Platform
                && record.PlatformTransactionId == command.PlatformTransactionId)
            .ToList();

    private void Keep(LedgerEvent decided) => _events.Add(decided with { Sequence = _events.Count + 1 });

    public (LedgerEvent? Event, ConsumeOutcome Outcome) Consume(string itemId, long quantity, string operationId = "op-1")
    {
        // A rejection writes nothing, so it takes no event id.
        var (decided, outcome) = EntitlementDecider.DecideConsume(
            State, Player.PlayerUuid, new ConsumeEntitlement(itemId, quantity, operationId), $"evt-{_count + 1}", TimeOf(_count + 1));
        if (decided is not null)
        {
            _count++;
            State = LedgerFold.Apply(State, decided);
            Keep(decided);
        }

        return (decided, outcome);
    }

    public PlayerEntitlement Entitlement(string itemId) => LedgerFold.ToEntitlement(Player.PlayerUuid, State.Items[itemId]);

    /// <summary>The time the n-th event (from 1) of the scenario was decided at.</summary>
    public static DateTimeOffset TimeOf(int n) => Start.AddSeconds(n);

    private (string EventId, DateTimeOffset Now) Next()
    {
        _count++;
        return ($"evt-{_count}", TimeOf(_count));
    }
}
