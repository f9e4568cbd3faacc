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

    /// <summary>The Xbox consume about to be sent, for <see cref="LedgerEventKind.XboxConsumeStarted"/>.</summary>
    public XboxConsumeStarted? XboxConsume { get; init; }

    /// <summary>
    /// A condition of the append, not stored: the event was decided without reading its transaction,
    /// as the first of its (platform, platform_transaction_id). The store then refuses it as
    /// <see cref="Storage.AppendOutcome.DuplicateKey"/> when the ledger holds any entitlement event of
    /// that transaction (whatever its action type), and the appender decides again with the transaction
    /// read. Events read from the store, and the appended event returned, have it false.
    /// </summary>
    public bool FirstOfTransaction { get; init; }

    /// <summary>
    /// A condition of the append, not stored: the event (a refund, chargeback or reversal that follows its
    /// transaction's grant) was decided with no grant of its transaction recorded. The store then refuses it
    /// as <see cref="Storage.AppendOutcome.DuplicateKey"/> when the ledger holds a grant of that transaction
    /// (one committed since the read, for whatever player), and the appender decides again with the
    /// transaction read: the event belongs to that grant's player. Events read from the store, and the
    /// appended event returned, have it false.
    /// </summary>
    public bool NoGrantOfTransaction { get; init; }

    /// <summary>
    /// Not stored: why an entitlement event decided with no <see cref="Effect"/> changed nothing, for the
    /// notifications attached before the append. Events read from the store, and the appended event
    /// returned, have it null.
    /// </summary>
    public NoEffect? NoEffect { get; init; }
}
