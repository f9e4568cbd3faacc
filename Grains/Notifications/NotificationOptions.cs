namespace Entitlements.Notifications;

/// <summary>Configuration section <c>Notifications</c>.</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>The namespace when <c>AccelByte:Namespace</c> is not set, as the gateway's.</summary>
    public const string DefaultNamespace = "game";

    /// <summary>
    /// The AccelByte namespace written in every message: always <c>AccelByte:Namespace</c> (or
    /// <see cref="DefaultNamespace"/>), never this section's own key, so that silos and gateways read one setting.
    /// </summary>
    public string Namespace { get; set; } = DefaultNamespace;

    /// <summary>The <c>clientId</c> of <c>revocationCompleted</c> events: this service's name towards AccelByte-shaped consumers.</summary>
    public string ClientId { get; set; } = "entitlements";

    /// <summary>Whether this silo publishes the ledger's notifications to the streams (the relay grain runs where it is activated).</summary>
    public bool RelayEnabled { get; set; } = true;

    /// <summary>
    /// Whether the relay also publishes each notification on its player's own stream of its kind, besides
    /// the all-players stream. Only Orleans clients and grains that follow a player's stream need it (the
    /// gateway's push routes and the sample game service follow the all-players stream; webhooks read the
    /// ledger).
    /// Every player's stream the relay publishes on costs a registration with its pub-sub grain, which
    /// <c>PubSubStore</c> keeps for good (a row per player in cluster mode, memory in embedded mode), a
    /// place in a pulling agent's set for <see cref="StreamInactivityPeriod"/>, and one stream message per
    /// batch; <c>false</c> saves all of that where nobody follows players' streams.
    /// </summary>
    public bool PlayerStreams { get; set; } = true;

    /// <summary>How often the relay looks at the ledger when nothing woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often each silo wakes the relay and every webhook, so that they run again soon after a silo
    /// that hosted them died, even when nothing is appended; zero turns it off.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Ledger events read per relay batch.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// The least time between two writes of the relay's position, and of each webhook's: under load the
    /// relay publishes many small batches and a webhook delivers many notifications, and a durable write
    /// after each one would take the ledger's single writer from the appends (and hold a webhook to one
    /// write per delivery). A crash publishes or delivers again at most this much (delivery is at least
    /// once either way); zero writes after every batch of the relay and every notification of a webhook.
    /// </summary>
    public TimeSpan PositionWriteInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many players' streams one activation of the relay publishes on before it hands over to a fresh
    /// one. Orleans keeps every stream a grain activation obtains (its stream directory, about 300 bytes a
    /// stream) until the activation ends, and the relay's never ends by itself: without a hand-over its
    /// memory would grow with every player it ever notified. The relay stores its position, deactivates,
    /// and the next activation publishes on from there: nothing is skipped or published twice.
    /// </summary>
    public int RelayStreamsPerActivation { get; set; } = 100_000;

    /// <summary>The default of <see cref="StreamPollInterval"/>.</summary>
    public static readonly TimeSpan DefaultStreamPollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How often the streams' pulling agents look at an empty queue: the most that waiting for the next
    /// look adds to a published notification's latency, for a few grain calls per queue per interval.
    /// 5 ms against 20 ms: a notification's delivery after its grant's answer p50 4 ms instead of 11
    /// (BENCHMARKS.md), for 1-2% of one core more when the cluster is idle.
    /// </summary>
    public TimeSpan StreamPollInterval { get; set; } = DefaultStreamPollInterval;

    /// <summary>The default of <see cref="StreamInactivityPeriod"/>.</summary>
    public static readonly TimeSpan DefaultStreamInactivityPeriod = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a stream that gets no message stays in its pulling agent's set of streams (Orleans'
    /// <c>StreamInactivityPeriod</c>, default 30 minutes). The agent looks through that whole set on every
    /// poll of its queue (every <see cref="StreamPollInterval"/>), and the relay publishes on every notified
    /// player's stream: with Orleans' default the set is every player notified in the last 30 minutes, and
    /// an idle gateway spent most of a core on the look-through. A stream that gets a message after it left
    /// the set registers again as a producer (one call to its pub-sub grain and one write of its
    /// subscriptions) before the message is delivered.
    /// </summary>
    public TimeSpan StreamInactivityPeriod { get; set; } = DefaultStreamInactivityPeriod;

    /// <summary>The default of <see cref="StreamCacheWindow"/>.</summary>
    public static readonly TimeSpan DefaultStreamCacheWindow = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long the streams keep a published notification in the silo's memory for a subscriber that
    /// is behind. Orleans' default keeps messages until they are 30 minutes older than the newest: under
    /// sustained load that is 30 minutes of notifications in memory (about 1 KB each, so gigabytes at a
    /// few thousand grants per second). A subscriber further behind than the window gets a stream error;
    /// the gateway then ends its push connections with their resume cursors and subscribes again.
    /// </summary>
    public TimeSpan StreamCacheWindow { get; set; } = DefaultStreamCacheWindow;
}
