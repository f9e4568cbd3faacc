using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Webhooks;

namespace Entitlements.Storage;

/// <summary>
/// Everything the entitlement cluster keeps on disk: the ledger (append-only events and snapshots),
/// players and platform-user links, and the catalog. One implementation per database engine.
/// Every write returns only once it is durable.
/// </summary>
public interface ILedgerStore
{
    /// <summary>Create or migrate the schema. Idempotent.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    // The ledger

    /// <summary>
    /// Append one event. A player's event must carry the next version of that player's ledger; an
    /// event with no player has no version. Returns the outcome and, when appended, the event with its
    /// global sequence.
    /// </summary>
    Task<(AppendOutcome Outcome, LedgerEvent? Appended)> AppendAsync(LedgerEvent ledgerEvent, CancellationToken cancellationToken = default);

    /// <summary>A player's events with version greater than <paramref name="afterVersion"/>, oldest first.</summary>
    Task<IReadOnlyList<LedgerEvent>> ReadPlayerEventsAsync(Guid playerUuid, long afterVersion, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// A player's entitlement events (not consumptions) with version greater than <paramref name="afterVersion"/>, oldest
    /// first. Read on the player's (player, version) key, skipping the player's consumes in between.
    /// </summary>
    Task<IReadOnlyList<LedgerEvent>> ReadPlayerEntitlementEventsAsync(Guid playerUuid, long afterVersion, int limit, CancellationToken cancellationToken = default);

    /// <summary>Everybody's entitlement events (with or without a player) after a global sequence, oldest first, all committed.</summary>
    Task<IReadOnlyList<LedgerEvent>> ReadAllEntitlementEventsAsync(long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every entitlement event of one store transaction (at most one per action type), any player.</summary>
    Task<IReadOnlyList<LedgerEvent>> ReadTransactionAsync(Platform platform, string platformTransactionId, CancellationToken cancellationToken = default);

    /// <summary>The consumption a player recorded under an operation id, if any.</summary>
    Task<LedgerEvent?> ReadOperationAsync(Guid playerUuid, string operationId, CancellationToken cancellationToken = default);

    Task<LedgerSnapshot?> ReadSnapshotAsync(Guid playerUuid, CancellationToken cancellationToken = default);

    /// <summary>Replace the player's snapshot when <paramref name="snapshot"/> is newer than the stored one.</summary>
    Task WriteSnapshotAsync(LedgerSnapshot snapshot, CancellationToken cancellationToken = default);

    // Notifications: the ledger is the outbox

    /// <summary>
    /// Events that carry notifications (one player's, or everybody's when <paramref name="playerUuid"/> is
    /// null) after a global sequence, oldest first, all committed: none is ever skipped by a reader that
    /// moves on from the last one it read.
    /// </summary>
    Task<IReadOnlyList<LedgerEvent>> ReadNotifyingEventsAsync(Guid? playerUuid, long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>The global sequence of the newest committed event that carries notifications; 0 when none does.</summary>
    Task<long> ReadLastNotifyingSequenceAsync(CancellationToken cancellationToken = default);

    /// <summary>Move a consumer's position forward (a smaller position than the stored one is ignored).</summary>
    Task WriteConsumerPositionAsync(string consumer, long position, CancellationToken cancellationToken = default);

    /// <summary>How far a durable consumer of the notification feed has got; null when it never stored a position.</summary>
    Task<long?> FindConsumerPositionAsync(string consumer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Record that a webhook gave up on a notification (the <see cref="WebhookDeadLetter.Id"/> given is
    /// ignored). The same webhook and position again replace the attempts, error and time and clear the
    /// replay mark. With <paramref name="consumer"/>, that consumer's position moves forward to the dead
    /// letter's in the same transaction (as <see cref="WriteConsumerPositionAsync"/> would): both are written or
    /// neither, so that a crash cannot leave the dead letter stored and the notification still to send.
    /// Returns the row as stored.
    /// </summary>
    Task<WebhookDeadLetter> WriteDeadLetterAsync(WebhookDeadLetter deadLetter, string? consumer = null, CancellationToken cancellationToken = default);

    /// <summary>A webhook's dead letters with an id above <paramref name="afterId"/>, oldest first.</summary>
    Task<IReadOnlyList<WebhookDeadLetter>> ReadDeadLettersAsync(string webhook, long afterId, int limit, CancellationToken cancellationToken = default);

    Task<WebhookDeadLetter?> ReadDeadLetterAsync(string webhook, long id, CancellationToken cancellationToken = default);

    /// <summary>Mark a dead letter as delivered by a replay; returns the row as stored, null when there is none.</summary>
    Task<WebhookDeadLetter?> MarkDeadLetterReplayedAsync(string webhook, long id, DateTimeOffset replayed, CancellationToken cancellationToken = default);

    /// <summary>
    /// Record a replay the endpoint did not accept, in one statement: one more attempt, <paramref name="error"/>
    /// as the last error and <paramref name="failed"/> as the failure time; the replay mark is kept. Returns the
    /// row as stored, null when there is none.
    /// </summary>
    Task<WebhookDeadLetter?> RecordDeadLetterReplayFailureAsync(string webhook, long id, string? lastError, DateTimeOffset failed, CancellationToken cancellationToken = default);

    /// <summary>How many dead letters a webhook has, and how many of them no replay has delivered.</summary>
    Task<(long Total, long Pending)> CountDeadLettersAsync(string webhook, CancellationToken cancellationToken = default);

    // Players and platform users

    Task<PlayerInfo?> ReadPlayerAsync(Guid playerUuid, CancellationToken cancellationToken = default);

    Task<PlayerInfo?> ReadPlayerByIdAsync(long playerId, CancellationToken cancellationToken = default);

    Task<PlatformUserLink?> ReadPlatformUserAsync(Platform platform, string platformUserId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Link a platform user to a player in one transaction, creating the player when it does not exist.
    /// With a null <paramref name="playerUuid"/> an existing link is kept, else a new player is made.
    /// </summary>
    Task<LinkPlatformUserResult> LinkPlatformUserAsync(
        Platform platform, string platformUserId, string? displayName, Guid? playerUuid, DateTimeOffset now, CancellationToken cancellationToken = default);

    // The catalog

    Task<CatalogSku?> ReadCatalogSkuAsync(Platform platform, string sku, CancellationToken cancellationToken = default);

    /// <summary>
    /// Create or replace an entry when <paramref name="precondition"/> holds for its stored revision, checked in
    /// the write's transaction (on PostgreSQL under <c>CatalogLock</c>, which every catalog write takes); the
    /// stored revision goes up by one. Else nothing is written and the result says why.
    /// </summary>
    Task<CatalogWriteResult> WriteCatalogSkuAsync(CatalogSku sku, CatalogPrecondition precondition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Insert the entries that the database does not have yet; returns how many were inserted. A new entry whose
    /// item another entry maps to another entitlement type, or a new XboxLive entry whose product id another entry
    /// has, is an <see cref="InvalidDataException"/>, and nothing is inserted.
    /// </summary>
    Task<int> SeedCatalogAsync(IEnumerable<CatalogSku> skus, CancellationToken cancellationToken = default);

    // Secrets

    /// <summary>The key that signs pagination cursors, created on first use and shared by every node.</summary>
    Task<byte[]> ReadCursorKeyAsync(CancellationToken cancellationToken = default);

    // Xbox

    /// <summary>
    /// The Xbox user's consumes that were started and have neither a grant nor a refusal yet
    /// (<see cref="LedgerEventKind.XboxConsumeRefused"/>, schema version 10), oldest first, in whichever
    /// player's ledger they were started (the XUID may have been linked to another player then). Costs the
    /// pending consumes only, not the XUID's history of finished ones (schema version 8). Each comes with the time its
    /// started row was recorded.
    /// </summary>
    Task<IReadOnlyList<PendingXboxConsume>> ReadPendingXboxConsumesAsync(string xuid, CancellationToken cancellationToken = default);

    /// <summary>
    /// The catalog entry of a platform whose store product id is <paramref name="productId"/>, if any (the first by SKU
    /// when several are). Costs that product's entries, not the platform's whole catalog (schema version 9).
    /// </summary>
    Task<CatalogSku?> ReadCatalogSkuByProductIdAsync(Platform platform, string productId, CancellationToken cancellationToken = default);

    /// <summary>The key that signs PlayFab session tickets, created on first use and shared by every node.</summary>
    Task<byte[]> ReadSessionTicketKeyAsync(CancellationToken cancellationToken = default);
}
