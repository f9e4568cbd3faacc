using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Entitlements.Contracts;

namespace Entitlements.Diagnostics;

/// <summary>
/// The grains' instruments, on the meter <see cref="MeterName"/>: how long a grant takes in the player
/// grain (decide, append, apply) and how long a notification waits between its ledger event being
/// recorded and the relay publishing it to the streams; how often the relay handed over to a fresh
/// activation; and, for every webhook active on this silo, how far it has delivered and how far behind
/// it is (gauges read from <see cref="WebhookProgress"/>, reported only while the activation lives here);
/// and the Xbox consume calls held up by a pending consume that could not be settled, with the age of the
/// oldest such consume that a player active on this silo has.
/// </summary>
public sealed class GrainMetrics
{
    public const string MeterName = "Entitlements.Grains";
    public const string GrantDurationName = "entitlements.grant.duration";
    public const string NotificationLagName = "entitlements.notification.lag";
    public const string RelayHandoverName = "entitlements.notification.relay_handovers";
    public const string WebhookDeliveredPositionName = "entitlements.webhook.delivered_position";
    public const string WebhookBacklogName = "entitlements.webhook.backlog";
    public const string WebhookOldestUndeliveredAgeName = "entitlements.webhook.oldest_undelivered_age";

    public const string XboxConsumesHeldUpName = "entitlements.xbox.consumes_held_up";
    public const string XboxOldestUnsettledConsumeAgeName = "entitlements.xbox.oldest_unsettled_consume_age";

    /// <summary>The tag of <see cref="XboxConsumesHeldUpName"/>: why the pending consume could not be settled (<see cref="HeldUpReasonTag"/>).</summary>
    public const string ReasonTag = "reason";

    /// <summary>The tag of the webhook gauges: the webhook's configured name.</summary>
    public const string WebhookTag = "webhook";

    /// <summary>The bucket boundaries of both histograms: from half a millisecond to ten seconds.</summary>
    public static readonly IReadOnlyList<double> SecondsBuckets = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Histogram<double> _grantDuration;
    private readonly Histogram<double> _notificationLag;
    private readonly Counter<long> _relayHandovers;
    private readonly Counter<long> _xboxConsumesHeldUp;
    private readonly ConcurrentDictionary<string, WebhookProgress> _webhooks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _unsettledXboxConsumes = new();

    public GrainMetrics(IMeterFactory meters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Time = time;
        var meter = meters.Create(MeterName);
        // In seconds, so the default boundaries (meant for milliseconds: 0, 5, 10, ... 10,000) would put every value in one bucket.
        _grantDuration = meter.CreateHistogram(
            GrantDurationName, "s", "Time the player grain takes for one grant entitlement event, from the call to the answer.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _notificationLag = meter.CreateHistogram(
            NotificationLagName, "s", "Time from a ledger event being recorded to the relay publishing its notification.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _relayHandovers = meter.CreateCounter<long>(
            RelayHandoverName, "{handover}", "Times the relay deactivated to free the streams it had obtained, for a fresh activation to publish on.");
        meter.CreateObservableGauge(
            WebhookDeliveredPositionName, () => ObserveWebhooks(p => p.DeliveredPosition), "{position}",
            "The notification feed position a webhook active on this silo has delivered through (dead letters included).");
        meter.CreateObservableGauge(
            WebhookBacklogName, () => ObserveWebhooks(p => p.Backlog), "{event}",
            "Ledger events with notifications that a webhook active on this silo has not delivered yet.");
        meter.CreateObservableGauge(
            WebhookOldestUndeliveredAgeName, () => ObserveWebhooks(OldestUndeliveredAge), "s",
            "Age of the oldest notification a webhook active on this silo knows it has not delivered; 0 when caught up.");
        _xboxConsumesHeldUp = meter.CreateCounter<long>(
            XboxConsumesHeldUpName, "{call}",
            "ConsumeXboxEntitlements calls that ended at a pending Xbox consume they could not settle, consuming nothing new, by reason.");
        meter.CreateObservableGauge(
            XboxOldestUnsettledConsumeAgeName, OldestUnsettledXboxConsumeAge, "s",
            "Age of the oldest pending Xbox consume that the last consume call of a player active on this silo could not settle; 0 when none.");
    }

    public TimeProvider Time { get; }

    /// <summary>The <c>outcome</c> tag of a grant: <c>recorded</c>, <c>replayed</c>, <c>conflict</c> or <c>unknown_player</c>.</summary>
    public static string OutcomeTag(EntitlementEventOutcome outcome) => outcome switch
    {
        EntitlementEventOutcome.Recorded => "recorded",
        EntitlementEventOutcome.Replayed => "replayed",
        EntitlementEventOutcome.Conflict => "conflict",
        _ => "unknown_player",
    };

    /// <summary>
    /// The <c>reason</c> tag of a held-up consume call, from how Xbox failed the pending consume: <c>throttled</c> (429),
    /// <c>unavailable</c> (5xx, 408, timed out or unreachable), <c>token_rejected</c> (401), <c>access_denied</c> (403);
    /// <c>budget</c> is the call's time budget running out before the pending consume was sent.
    /// </summary>
    public static string HeldUpReasonTag(XboxConsumeOutcome outcome) => outcome switch
    {
        XboxConsumeOutcome.TooManyRequests => "throttled",
        XboxConsumeOutcome.TokenRejected => "token_rejected",
        XboxConsumeOutcome.AccessDenied => "access_denied",
        XboxConsumeOutcome.DeadlineReached => "budget",
        _ => "unavailable",
    };

    /// <summary>A consume call ended at a pending consume it could not settle (<see cref="HeldUpReasonTag"/>): it consumed and granted nothing new.</summary>
    public void XboxConsumeHeldUp(string reason) => _xboxConsumesHeldUp.Add(1, new KeyValuePair<string, object?>(ReasonTag, reason));

    /// <summary>The last consume call of <paramref name="player"/> left a pending consume, started at <paramref name="started"/>, unsettled.</summary>
    public void XboxConsumeUnsettled(Guid player, DateTimeOffset started) => _unsettledXboxConsumes[player] = started;

    /// <summary>
    /// <paramref name="player"/> has no unsettled pending consume known here: its last call settled every one it
    /// found, or its activation ended.
    /// </summary>
    public void XboxConsumesSettled(Guid player) => _unsettledXboxConsumes.TryRemove(player, out _);

    /// <summary>One grant answered, with its <see cref="OutcomeTag"/>.</summary>
    public void GrantCompleted(long startedTimestamp, string outcome) =>
        _grantDuration.Record(Time.GetElapsedTime(startedTimestamp).TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A notification published now whose ledger event was recorded at <paramref name="recordedAt"/>.</summary>
    public void NotificationPublished(DateTimeOffset recordedAt) =>
        _notificationLag.Record(Math.Max(0, (Time.GetUtcNow() - recordedAt).TotalSeconds));

    /// <summary>The relay stored its position and deactivated, for a fresh activation to publish on.</summary>
    public void RelayHandedOver() => _relayHandovers.Add(1);

    /// <summary>
    /// Report webhook <paramref name="name"/>'s progress from this activation, which has delivered through
    /// <paramref name="deliveredPosition"/>, until the returned progress is disposed.
    /// </summary>
    public WebhookProgress TrackWebhook(string name, long deliveredPosition)
    {
        var progress = new WebhookProgress(name, deliveredPosition, p => _webhooks.TryRemove(new KeyValuePair<string, WebhookProgress>(p.Name, p)));
        _webhooks[name] = progress;
        return progress;
    }

    private double OldestUndeliveredAge(WebhookProgress progress) =>
        progress.OldestUndelivered is { } recorded ? Math.Max(0, (Time.GetUtcNow() - recorded).TotalSeconds) : 0;

    private double OldestUnsettledXboxConsumeAge()
    {
        var now = Time.GetUtcNow();
        return _unsettledXboxConsumes.Values.Select(started => Math.Max(0, (now - started).TotalSeconds)).DefaultIfEmpty(0).Max();
    }

    private IEnumerable<Measurement<T>> ObserveWebhooks<T>(Func<WebhookProgress, T> value)
        where T : struct =>
        [.. _webhooks.Values.Select(p => new Measurement<T>(value(p), new KeyValuePair<string, object?>(WebhookTag, p.Name)))];
}
