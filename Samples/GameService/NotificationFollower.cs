using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Entitlements.Notifications;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Entitlements.Samples.GameService;

/// <summary>
/// Follows the all-players notification stream. With a starting point it first subscribes, then
/// catches up from the ledger through <see cref="INotificationFeedGrain"/>, then goes on with what the
/// stream delivered meanwhile, dropping every notification at or below the last position handled: no
/// gap and no duplicate at the seam, and none either when the stream delivers one twice. A notification
/// that follows a position past the last one handled means the stream lost some: those are read from the
/// ledger before it.
/// <para>
/// The stream can also drop the subscription without a word: a pulling agent that cannot reach this
/// client (every silo restarted, and the client has not reconnected yet) removes it for good, and nothing
/// arrives any more. So every <see cref="CheckInterval"/> the follower asks the stream whether it still
/// holds the subscription. When it does not, or the stream reported an error, the follower subscribes
/// again and catches up from the ledger after the last position handled, the same seam as at the start.
/// </para>
/// </summary>
public sealed partial class NotificationFollower(
    IClusterClient client,
    IOptions<FollowerOptions> options,
    TextWriter output,
    ILogger<NotificationFollower> logger) : BackgroundService
{
    /// <summary>How often the follower makes sure the stream still holds its subscription.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    private const int PageSize = 500;
    private static readonly JsonWriterOptions LineOptions = new() { Encoder = NotificationJson.Options.Encoder };

    private readonly Channel<EntitlementNotification> _live = Channel.CreateUnbounded<EntitlementNotification>(new() { SingleReader = true });
    private StreamSubscriptionHandle<EntitlementNotification>? _subscription;
    private volatile bool _streamFailed;

    /// <summary>The ledger holds notifications after <see cref="_position"/> that were not handled (a catch-up is due).</summary>
    private bool _behind;
    private long _position;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stream = client.GetStreamProvider(NotificationStreams.ProviderName).GetStream<EntitlementNotification>(NotificationStreams.AllPlayers);
        var feed = client.GetGrain<INotificationFeedGrain>(0);
        _subscription = await SubscribeAsync(stream, stoppingToken);
        try
        {
            _position = await StartingPositionAsync(feed);
            await CatchUpAsync(feed, stoppingToken);
            await WriteLineAsync(writer => writer.WriteBoolean("ready", true));
            LogFollowing(logger, _position);
            while (true)
            {
                await HandleLiveAsync(feed, CheckInterval, stoppingToken);
                await KeepSubscribedAsync(stream, feed, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await UnsubscribeAsync();
        }
    }

    /// <summary>
    /// On the way out, take the subscription off the stream: the one <see cref="KeepSubscribedAsync"/> last
    /// made, not the first. The cluster may be gone by then, or may have dropped the subscription already; a
    /// failure is logged and the service stops all the same.
    /// </summary>
    private async Task UnsubscribeAsync()
    {
        if (_subscription is not { } subscription)
        {
            return;
        }

        _subscription = null;
        try
        {
            await subscription.UnsubscribeAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogUnsubscribeFailed(logger, exception);
        }
    }

    private Task<StreamSubscriptionHandle<EntitlementNotification>> SubscribeAsync(IAsyncStream<EntitlementNotification> stream, CancellationToken stoppingToken) =>
        stream.SubscribeAsync(
            (notification, _) => _live.Writer.WriteAsync(notification, stoppingToken).AsTask(),
            exception =>
            {
                // The stream gave up on this subscription (for instance this client fell too far behind).
                LogStreamFailed(logger, exception);
                _streamFailed = true;
                return Task.CompletedTask;
            });

    /// <summary>Handle what the stream delivers, one notification at a time, for <paramref name="period"/>.</summary>
    private async Task HandleLiveAsync(INotificationFeedGrain feed, TimeSpan period, CancellationToken stoppingToken)
    {
        using var periodOver = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        periodOver.CancelAfter(period);
        try
        {
            while (await _live.Reader.WaitToReadAsync(periodOver.Token))
            {
                while (!periodOver.IsCancellationRequested && _live.Reader.TryRead(out var notification))
                {
                    if (notification.FollowsAGap(_position))
                    {
                        // The stream lost what came between (a silo holding it died): the ledger still has it.
                        LogGap(logger, _position, notification.PublishedAfter);
                        if (!await TryCatchUpAsync(feed, stoppingToken))
                        {
                            // This one is in the ledger too: it is read with the rest at the next try.
                            continue;
                        }
                    }

                    await HandleAsync(notification);
                }
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The period is over: time to check the subscription.
        }
    }

    /// <summary>
    /// If the stream no longer holds the subscription, or failed it, subscribe again and catch up from the
    /// ledger after the last position handled; what the new subscription delivers meanwhile is dropped up
    /// to there. When the cluster cannot be reached (the client may be reconnecting), try at the next check.
    /// </summary>
    private async Task KeepSubscribedAsync(IAsyncStream<EntitlementNotification> stream, INotificationFeedGrain feed, CancellationToken stoppingToken)
    {
        try
        {
            var handles = await stream.GetAllSubscriptionHandles();
            if (_streamFailed || !handles.Any(h => h.HandleId == _subscription?.HandleId))
            {
                LogSubscribingAgain(logger, _position);

                // Whatever is left (a failed subscription) goes: one subscription is enough.
                _subscription = null;
                foreach (var handle in handles)
                {
                    await handle.UnsubscribeAsync();
                }

                _streamFailed = false;
                _subscription = await SubscribeAsync(stream, stoppingToken);

                // What was published while nothing was subscribed is only in the ledger.
                _behind = true;
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogCheckFailed(logger, exception);
        }

        if (_behind)
        {
            await TryCatchUpAsync(feed, stoppingToken);
        }
    }

    private async Task<long> StartingPositionAsync(INotificationFeedGrain feed)
    {
        var after = options.Value.After;
        if (string.IsNullOrEmpty(after))
        {
            return await feed.HeadAsync();
        }

        if (after == "start")
        {
            return 0;
        }

        return await feed.DecodeCursorAsync(after) ?? throw new InvalidOperationException("GameService:After is not a notification cursor of this cluster.");
    }

    /// <summary>Catch up from the ledger; false, and still behind, when it cannot be read right now.</summary>
    private async Task<bool> TryCatchUpAsync(INotificationFeedGrain feed, CancellationToken cancellationToken)
    {
        try
        {
            await CatchUpAsync(feed, cancellationToken);
            _behind = false;
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogCatchUpFailed(logger, exception, _position);
            _behind = true;
            return false;
        }
    }

    private async Task CatchUpAsync(INotificationFeedGrain feed, CancellationToken cancellationToken)
    {
        NotificationPage page;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            page = await feed.ReadAsync(new NotificationQuery(null, _position, PageSize));
            foreach (var notification in page.Notifications)
            {
                await HandleAsync(notification);
            }
        }
        while (page.More);
    }

    private async Task HandleAsync(EntitlementNotification notification)
    {
        if (notification.Position <= _position)
        {
            return;
        }

        _position = notification.Position;
        var name = notification.Kind == NotificationKind.EntitlementUpdated ? EntitlementUpdated.TypeName : RevocationCompleted.EventName;
        await WriteLineAsync(writer =>
        {
            writer.WriteString("cursor", notification.Cursor);
            writer.WriteString("event_id", notification.EventId);
            writer.WriteString("player_uuid", notification.PlayerUuid);
            writer.WriteNumber("version", notification.Version);
            writer.WriteString("name", name);
            writer.WritePropertyName("message");
            writer.WriteRawValue(NotificationJson.Serialize(notification));
        });
    }

    private async Task WriteLineAsync(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, LineOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.ToArray()));
        await output.FlushAsync();
    }
}
