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
/// </summary>
public sealed partial class NotificationFollower(
    IClusterClient client,
    IOptions<FollowerOptions> options,
    TextWriter output,
    ILogger<NotificationFollower> logger) : BackgroundService
{
    private const int PageSize = 500;
    private static readonly JsonWriterOptions LineOptions = new() { Encoder = NotificationJson.Options.Encoder };

    private readonly Channel<EntitlementNotification> _live = Channel.CreateUnbounded<EntitlementNotification>(new() { SingleReader = true });
    private long _position;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stream = client.GetStreamProvider(NotificationStreams.ProviderName).GetStream<EntitlementNotification>(NotificationStreams.AllPlayers);
        var subscription = await stream.SubscribeAsync((notification, _) => _live.Writer.WriteAsync(notification, stoppingToken).AsTask());
        try
        {
            var feed = client.GetGrain<INotificationFeedGrain>(0);
            _position = await StartingPositionAsync(feed);
            await CatchUpAsync(feed, stoppingToken);
            await WriteLineAsync(writer => writer.WriteBoolean("ready", true));
            LogFollowing(logger, _position);
            await foreach (var notification in _live.Reader.ReadAllAsync(stoppingToken))
            {
                if (notification.FollowsAGap(_position))
                {
                    // The stream lost what came between (a silo holding it died): the ledger still has it.
                    LogGap(logger, _position, notification.PublishedAfter);
                    await CatchUpAsync(feed, stoppingToken);
                }

                await HandleAsync(notification);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await subscription.UnsubscribeAsync();
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
