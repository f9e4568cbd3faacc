using System.Buffers;
using System.Diagnostics;
using Entitlements.Diagnostics;
using Entitlements.Notifications;
using Entitlements.Storage;
using Entitlements.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Streams;

namespace Entitlements;

/// <summary>
/// Publishes the ledger's notifications to the Orleans streams. The ledger is the outbox: the relay
/// reads what was committed after its position, publishes it (per player in ledger order, and to the
/// all-players stream in sequence order), then stores the new position. A crash between a publish and
/// the store of the position publishes again (at least once); a crash between a commit and the publish
/// loses nothing, because the next activation starts from the stored position. Player grains wake it
/// after each append; a timer polls too, in case a wake was lost. The position is stored at most once
/// per <see cref="NotificationOptions.PositionWriteInterval"/> (and when the grain deactivates): a
/// crash republishes at most that much. Orleans keeps every stream an activation obtains until the
/// activation ends; after <see cref="NotificationOptions.RelayStreamsPerActivation"/> players' streams
/// the relay stores its position and hands over to a fresh activation, so that its memory does not grow
/// with every player it ever notified.
/// </summary>
public sealed partial class NotificationRelayGrain(
    NotificationFeed feed,
    ILedgerStore store,
    IOptions<NotificationOptions> options,
    IOptions<WebhookOptions> webhooks,
    GrainMetrics metrics,
    Serializer<EntitlementNotification> serializer,
    ILogger<NotificationRelayGrain> logger) : Grain, INotificationRelayGrain
{
    public const string ConsumerName = "stream-relay";

    private long _position;
    private long _storedPosition;
    private long _storedAt;
    private bool _pumping;
    private bool _pending;
    private bool _handingOver;
    /// <summary>The players' streams this activation has published on: Orleans keeps each until the activation ends.</summary>
    private readonly HashSet<StreamId> _streamsHeld = [];
    private IStreamProvider? _streams;
    private readonly ArrayBufferWriter<byte> _sizing = new();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await StoreFailureCallFilter.ActivatingAsync(async () => _position = await store.FindConsumerPositionAsync(ConsumerName, cancellationToken) ?? 0);
        _storedPosition = _position;
        _storedAt = Stopwatch.GetTimestamp();
        _streams = this.GetStreamProvider(NotificationStreams.ProviderName);
        var interval = options.Value.PollInterval > TimeSpan.Zero ? options.Value.PollInterval : TimeSpan.FromSeconds(1);
        this.RegisterGrainTimer(_ => PumpAsync(), new GrainTimerCreationOptions(interval, interval) { Interleave = true, KeepAlive = true });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_position > _storedPosition)
        {
            try
            {
                await StorePositionAsync();
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The next activation republishes from the older stored position: at least once still holds.
                LogPublishFailed(logger, exception, _position);
            }
        }
    }

    public Task WakeAsync() => PumpAsync();

    public Task<long> GetPositionAsync() => Task.FromResult(_position);

    /// <summary>Publish until caught up. A wake that arrives meanwhile makes the running pump read once more.</summary>
    private async Task PumpAsync()
    {
        if (!options.Value.RelayEnabled || _handingOver)
        {
            return;
        }

        if (_pumping)
        {
            _pending = true;
            return;
        }

        _pumping = true;
        DetachedWork.Detach();
        try
        {
            do
            {
                _pending = false;
                NotificationPage page;
                do
                {
                    if (HoldsTooManyStreams)
                    {
                        await HandOverAsync();
                        return;
                    }

                    page = await feed.ReadAsync(null, _position, Math.Max(1, options.Value.BatchSize));
                    if (page.Notifications.Count == 0)
                    {
                        break;
                    }

                    await PublishAsync(page.Notifications);
                    _position = page.Position;
                    await StorePositionIfDueAsync();
                    WakeWebhooks();
                }
                while (page.More);
            }
            while (_pending);

            if (HoldsTooManyStreams)
            {
                await HandOverAsync();
                return;
            }

            // Caught up: a position held back by the interval is stored by a later pump (the poll timer's at the latest).
            await StorePositionIfDueAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Nothing past the stored position is lost: the next wake or poll publishes it again.
            LogPublishFailed(logger, exception, _position);
        }
        finally
        {
            _pumping = false;
        }
    }

    private bool HoldsTooManyStreams => _streamsHeld.Count >= Math.Max(1, options.Value.RelayStreamsPerActivation);

    /// <summary>
    /// Ends this activation for a fresh one, which frees the streams this one obtained. The position is
    /// stored first, due or not, so that the next activation publishes nothing twice; if that fails, this
    /// one stays, and its next pump (the poll timer's at the latest) tries again. Wakes that arrive from
    /// here on wait for the deactivation and go to the next activation; one is sent now, so that the
    /// next activation starts at once and publishes what this one left, also when nothing else wakes it.
    /// </summary>
    private async Task HandOverAsync()
    {
        if (_position > _storedPosition)
        {
            await StorePositionAsync();
        }

        _handingOver = true;
        metrics.RelayHandedOver();
        LogHandingOver(logger, _streamsHeld.Count, _position);
        DeactivateOnIdle();
        GrainFactory.GetGrain<INotificationRelayGrain>(this.GetPrimaryKeyLong()).WakeAsync().Ignore();
    }

    private async Task StorePositionIfDueAsync()
    {
        if (_position > _storedPosition && Stopwatch.GetElapsedTime(_storedAt) >= options.Value.PositionWriteInterval)
        {
            await StorePositionAsync();
        }
    }

    private async Task StorePositionAsync()
    {
        var position = _position;
        await store.WriteConsumerPositionAsync(ConsumerName, position);
        (_storedPosition, _storedAt) = (position, Stopwatch.GetTimestamp());
    }

    /// <summary>The webhooks read the same feed from their own positions: tell them it has grown.</summary>
    private void WakeWebhooks()
    {
        foreach (var webhook in webhooks.Value.Webhooks)
        {
            GrainFactory.GetGrain<IWebhookGrain>(webhook.Name).WakeAsync().Ignore();
        }
    }

    /// <summary>
    /// Publishes a page as few stream messages as it can: the all-players stream gets the page in sequence
    /// order, each player's stream of a kind its part of the page in ledger order, each in chunks of at most
    /// <see cref="StreamChunk"/> notifications and <see cref="StreamChunkBytes"/> serialized, sent one after
    /// another. A subscriber still sees one
    /// <c>OnNextAsync</c> per notification, in that order; the stream queues, caches and delivers one
    /// message per chunk instead of one per notification. On the all-players stream each notification
    /// carries the position published before it (<see cref="EntitlementNotification.PublishedAfter"/>):
    /// the relay's position for the page's first, the previous one's for the others.
    /// </summary>
    private async Task PublishAsync(IReadOnlyList<EntitlementNotification> notifications)
    {
        var streams = _streams!;
        var chained = new EntitlementNotification[notifications.Count];
        var sizes = new int[notifications.Count];
        var previous = _position;
        for (var i = 0; i < notifications.Count; i++)
        {
            chained[i] = notifications[i] with { PublishedAfter = previous };
            previous = notifications[i].Position;

            // The chained copy's size bounds the player's copy too: it differs only by PublishedAfter, set.
            sizes[i] = SizeOf(chained[i]);
            if (sizes[i] > StreamMessageBytes)
            {
                // Not reachable within the gateway's limits. The streams will drop it: say so. All-players
                // subscribers see the gap (PublishedAfter) and read it from the ledger.
                LogNotificationTooLarge(logger, notifications[i].EventId, notifications[i].Kind, sizes[i]);
            }
        }

        // Without players' streams (PlayerStreams off) only the all-players stream is published on.
        var players = options.Value.PlayerStreams
            ? Enumerable.Range(0, notifications.Count)
                .GroupBy(i => NotificationStreams.ForPlayer(notifications[i].Kind, notifications[i].PlayerUuid))
                .ToList()
            : [];

        // Each stays in this activation's stream directory until the activation ends (HandOverAsync).
        _streamsHeld.UnionWith(players.Select(player => player.Key));
        var publishes = players
            .Select(player => PublishInChunksAsync(
                streams.GetStream<EntitlementNotification>(player.Key), [.. player.Select(i => notifications[i])], [.. player.Select(i => sizes[i])]))
            .Append(PublishInChunksAsync(streams.GetStream<EntitlementNotification>(NotificationStreams.AllPlayers), chained, sizes));
        await Task.WhenAll(publishes);
        foreach (var notification in notifications)
        {
            if (notification.RecordedAt is { } recordedAt)
            {
                metrics.NotificationPublished(recordedAt);
            }
        }
    }

    /// <summary>The most notifications one stream message carries.</summary>
    internal const int StreamChunk = 64;

    /// <summary>
    /// The most bytes, serialized, of the notifications one stream message carries. The memory streams keep
    /// each message in one block of their buffer pool, 1 MiB and fixed in Orleans (MemoryAdapterFactory);
    /// a message that does not fit is dropped in the silo's pulling agent after it has left the queue, with
    /// no error for the publisher, so a chunk is cut well below that: the rest is left for the message's
    /// container (each event's type, the request context). The gateway's limits keep a single notification
    /// far below this (under 100 KB: a 4,096-character transaction id, a 2,048-character platform user
    /// and SKU, the SKU three times more in a revocation, all in 4-byte characters).
    /// </summary>
    internal const int StreamChunkBytes = 256 * 1024;

    /// <summary>What a chunk's notifications are counted as beyond their own size: each one's type header in the message.</summary>
    internal const int StreamEventOverhead = 256;

    /// <summary>
    /// The most bytes of one notification that a stream message is sure to hold: the memory streams' 1 MiB
    /// block less room for the message's container. Larger is not possible within the gateway's limits.
    /// </summary>
    internal const int StreamMessageBytes = (1 << 20) - (64 * 1024);

    private int SizeOf(EntitlementNotification notification)
    {
        _sizing.ResetWrittenCount();
        serializer.Serialize(notification, _sizing);
        return _sizing.WrittenCount + StreamEventOverhead;
    }

    private static async Task PublishInChunksAsync(
        IAsyncStream<EntitlementNotification> stream, EntitlementNotification[] notifications, int[] sizes)
    {
        if (notifications.Length == 1)
        {
            await stream.OnNextAsync(notifications[0]);
            return;
        }

        var start = 0;
        while (start < notifications.Length)
        {
            // At least one notification, then as many more as fit in the chunk's count and bytes.
            var end = start + 1;
            var bytes = sizes[start];
            while (end < notifications.Length && end - start < StreamChunk && bytes + sizes[end] <= StreamChunkBytes)
            {
                bytes += sizes[end];
                end++;
            }

            if (end - start == 1)
            {
                await stream.OnNextAsync(notifications[start]);
            }
            else
            {
                await stream.OnNextBatchAsync(notifications[start..end]);
            }

            start = end;
        }
    }
}
