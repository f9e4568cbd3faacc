namespace Entitlements.Notifications;

/// <summary>
/// One notification as the streams carry it: the message (exactly one of
/// <see cref="EntitlementUpdated"/> and <see cref="RevocationCompleted"/>) and where it comes from in
/// the ledger. Delivery is at least once: a consumer drops a notification whose
/// (<see cref="EventId"/>, <see cref="Kind"/>) it has seen, or whose <see cref="Position"/> is not
/// above the last one it handled. A player's notifications come in ledger order. On the all-players
/// stream each notification also says what the relay published before it
/// (<see cref="PublishedAfter"/>), so that a consumer can tell when the stream lost something.
/// </summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.EntitlementNotification")]
public sealed record EntitlementNotification
{
    /// <summary>The place in the feed: the ledger's global sequence times two, plus one for the revocation.</summary>
    [Id(0)] public required long Position { get; init; }

    /// <summary>An opaque cursor for <see cref="Position"/>: resume after this notification with it.</summary>
    [Id(1)] public required string Cursor { get; init; }

    /// <summary>The ledger event that produced the notification.</summary>
    [Id(2)] public required string EventId { get; init; }
    [Id(3)] public required Guid PlayerUuid { get; init; }

    /// <summary>The player's ledger version the event was written at.</summary>
    [Id(4)] public required long Version { get; init; }
    [Id(5)] public required NotificationKind Kind { get; init; }
    [Id(6)] public EntitlementUpdated? EntitlementUpdated { get; init; }
    [Id(7)] public RevocationCompleted? RevocationCompleted { get; init; }

    /// <summary>When the ledger event was recorded (for the notification lag metric; not part of the message).</summary>
    [Id(8)] public DateTimeOffset? RecordedAt { get; init; }

    /// <summary>
    /// On the all-players stream: the feed position the relay had published through when it published this
    /// notification. Every notification at or below it was published before this one, and none lies between
    /// it and <see cref="Position"/>. A consumer whose last handled position is below it has missed
    /// notifications the stream lost (a silo that held them died) and should read them from the ledger
    /// (<see cref="INotificationFeedGrain"/>) after its last position. Null on the per-player streams and in
    /// what is read from the ledger.
    /// </summary>
    [Id(9)] public long? PublishedAfter { get; init; }

    /// <summary>
    /// Whether a consumer that has handled everything up to <paramref name="handledThrough"/> on the
    /// all-players stream may have missed something before this notification.
    /// </summary>
    public bool FollowsAGap(long handledThrough) => PublishedAfter > handledThrough;

    /// <summary>The position of a ledger event's notification of a kind.</summary>
    public static long PositionOf(long sequence, NotificationKind kind) => (sequence * 2) + (kind == NotificationKind.RevocationCompleted ? 1 : 0);

    /// <summary>The ledger sequence a position belongs to.</summary>
    public static long SequenceOf(long position) => position / 2;

    /// <summary>The message itself, the exact JSON object a peer's client expects.</summary>
    public object Message => (object?)EntitlementUpdated ?? RevocationCompleted
        ?? throw new InvalidOperationException("A notification carries a message.");
}
