using Entitlements.Notifications;

namespace Entitlements.Diagnostics;

/// <summary>
/// How far one webhook's live activation has got, for the <see cref="GrainMetrics"/> gauges: written by the
/// activation as it delivers, read by whatever collects the metrics, on another thread. Disposed when the
/// activation ends, and the gauges stop reporting the webhook on this silo.
/// </summary>
public sealed class WebhookProgress : IDisposable
{
    private readonly Action<WebhookProgress> _untrack;
    private long _deliveredPosition;
    private long _headSequence;
    private long _oldestUndeliveredTicks = -1;

    internal WebhookProgress(string name, long deliveredPosition, Action<WebhookProgress> untrack)
    {
        Name = name;
        _untrack = untrack;
        Delivered(deliveredPosition);
    }

    /// <summary>The webhook's configured name, the gauges' <c>webhook</c> tag.</summary>
    public string Name { get; }

    /// <summary>The feed position delivered through (a dead letter counts as done).</summary>
    public long DeliveredPosition => Volatile.Read(ref _deliveredPosition);

    /// <summary>Ledger events with notifications after the one delivered through, up to the newest the activation has seen.</summary>
    public long Backlog => Math.Max(0, Volatile.Read(ref _headSequence) - EntitlementNotification.SequenceOf(DeliveredPosition));

    /// <summary>
    /// When the oldest notification the activation knows it has not delivered was recorded: the one being delivered,
    /// else the next one it has read. Null when it knows of none (caught up as of its last read), or the time is unknown.
    /// </summary>
    public DateTimeOffset? OldestUndelivered =>
        Volatile.Read(ref _oldestUndeliveredTicks) is var ticks and >= 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>
    /// Everything through <paramref name="position"/> is delivered (or a dead letter). <paramref name="next"/> is the
    /// notification after it, when the activation has read it (then it is the oldest undelivered, until it is delivered,
    /// also while the reads that follow fail); null when its last read found nothing more.
    /// </summary>
    public void Delivered(long position, EntitlementNotification? next = null)
    {
        Volatile.Write(ref _deliveredPosition, position);
        Volatile.Write(ref _oldestUndeliveredTicks, next?.RecordedAt?.UtcTicks ?? -1);
        SeenHead(EntitlementNotification.SequenceOf(next?.Position ?? position));
    }

    /// <summary>The notification at <paramref name="position"/>, recorded at <paramref name="recordedAt"/> (if known), is being delivered.</summary>
    public void Delivering(long position, DateTimeOffset? recordedAt)
    {
        Volatile.Write(ref _oldestUndeliveredTicks, recordedAt?.UtcTicks ?? -1);
        SeenHead(EntitlementNotification.SequenceOf(position));
    }

    /// <summary>The ledger holds notifying events up to <paramref name="sequence"/> at least.</summary>
    public void SeenHead(long sequence) => ForwardOnly.Raise(ref _headSequence, sequence);

    public void Dispose() => _untrack(this);
}
