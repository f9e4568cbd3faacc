using Entitlements.Contracts;
using Entitlements.Notifications;

namespace Entitlements.Ledger;

/// <summary>One immutable row of the ledger.</summary>
public sealed record LedgerEvent
{
    /// <summary>The global sequence, assigned by the store on append (0 before).</summary>
    public long Sequence { get; init; }
    public required string EventId { get; init; }
    public required LedgerEventKind Kind { get; init; }
    public Guid? PlayerUuid { get; init; }

    /// <summary>The player's ledger version this event creates; null for an event with no player.</summary>
    public long? Version { get; init; }
    public required DateTimeOffset Created { get; init; }

    /// <summary>The store event, for <see cref="LedgerEventKind.EntitlementEvent"/>.</summary>
    public EntitlementEventRecord? Entitlement { get; init; }

    /// <summary>A hash of the request that produced the event, to tell a replay from a conflict.</summary>
    public string? RequestFingerprint { get; init; }

    /// <summary>The caller's operation id, for <see cref="LedgerEventKind.EntitlementConsumed"/>.</summary>
    public string? OperationId { get; init; }

    /// <summary>What the event changed; null when it changed nothing.</summary>
    public LedgerEffect? Effect { get; init; }

    /// <summary>The <c>entitlementUpdated</c> notification the event produces; null when it changed nothing.</summary>
    public EntitlementUpdated? EntitlementUpdated { get; init; }

    /// <summary>The <c>revocationCompleted</c> event of a player's refund or chargeback, whether it took something or not.</summary>
    public RevocationCompleted? RevocationCompleted { get; init; }

    /// <summary>
    /// The Xbox consume about to be sent, for <see cref="LedgerEventKind.XboxConsumeStarted"/>; the one Xbox refused,
    /// for <see cref="LedgerEventKind.XboxConsumeRefused"/>.
    /// </summary>
    public XboxConsumeStarted? XboxConsume { get; init; }

    /// <summary>
    /// A condition of the append, not stored: how many entitlement events of its (platform,
    /// platform_transaction_id) the event was decided with, any player's (0 for one decided as the first
    /// of its transaction without reading it: a grant). The store refuses the append as
    /// <see cref="Storage.AppendOutcome.DuplicateKey"/> when the ledger holds another number of them (an
    /// event of the transaction committed since the read, for whatever player), and the appender decides
    /// again with the transaction read again. The ledger only grows, so the same number means the same
    /// events. Null: no condition (an event decided on no transaction). Events read from the store, and
    /// the appended event returned, have it null.
    /// </summary>
    public int? TransactionEventsRead { get; init; }

    /// <summary>
    /// Not stored: why an entitlement event decided with no <see cref="Effect"/> changed nothing, for the
    /// notifications attached before the append. Events read from the store, and the appended event
    /// returned, have it null.
    /// </summary>
    public NoEffect? NoEffect { get; init; }
}
