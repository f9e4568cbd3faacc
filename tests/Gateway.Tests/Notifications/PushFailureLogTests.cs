using System.Collections.Concurrent;
using System.Net.WebSockets;
using Entitlements.Diagnostics;
using Entitlements.Gateway.Notifications;
using Entitlements.Notifications;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// What a push connection whose feed read fails leaves in the gateway's log (docs/operations.md, "Log levels"):
/// the cluster or its storage unavailable is expected, one warning line naming the failure and the exception at
/// <c>Debug</c>, as for a 503; anything else is a bug, an error with the exception.
/// </summary>
public sealed class PushFailureLogTests(PushFailureLogTests.Fixture fixture) : IClassFixture<PushFailureLogTests.Fixture>
{
    [Fact]
    public async Task Push_FeedUnavailable_LogsOneWarningLineWithoutStackAndTheExceptionAtDebug()
    {
        var failure = new OrleansException("The grain directory is not stable for this grain; retry later.", new TimeoutException("The response did not arrive on time."));

        var (player, logged) = await PushUntilTheFeedFailsAsync(failure);

        Assert.True(logged.Select(entry => entry.Level).SequenceEqual([LogLevel.Warning, LogLevel.Debug, LogLevel.Information]), "logged for the connection:\n" + string.Join("\n", logged));
        Assert.Equal(
            $"Push connection for player {player} (none: all players) ended: the cluster or its storage is unavailable ({ExceptionLine.Of(failure)})",
            logged[0].Message);
        Assert.Null(logged[0].Exception);
        var exception = Assert.IsType<OrleansException>(logged[1].Exception);
        Assert.IsType<TimeoutException>(exception.InnerException);
    }

    [Fact]
    public async Task Push_UnexpectedFailure_LogsAnErrorWithTheException()
    {
        var failure = new InvalidOperationException("Nothing the cluster's unavailability explains.");

        var (player, logged) = await PushUntilTheFeedFailsAsync(failure);

        Assert.True(logged.Select(entry => entry.Level).SequenceEqual([LogLevel.Error, LogLevel.Information]), "logged for the connection:\n" + string.Join("\n", logged));
        var entry = logged[0];
        Assert.Equal($"Push connection for player {player} (none: all players) failed", entry.Message);
        Assert.Equal(failure.Message, Assert.IsType<InvalidOperationException>(entry.Exception).Message);
    }

    /// <summary>
    /// Resume a player's WebSocket before one grant, with the feed's first page saying there is more and the next
    /// read failing with <paramref name="failure"/>; returns what <see cref="PushSession"/> logged for the player,
    /// the last entry being the connection's end (<c>Information</c>).
    /// </summary>
    private async Task<(Guid Player, List<LoggedEntry> Logged)> PushUntilTheFeedFailsAsync(Exception failure)
    {
        var player = await fixture.Client.CreatePlayerAsync();
        var cursor = await fixture.HeadCursorAsync();
        await fixture.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        fixture.FeedReads.Failures[player.Uuid] = failure;

        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), $"{PushRoutes.PlayerWebSocket(player.Uuid)}?after={cursor}", fixture.PlayerToken(player.Uuid));
        var received = await socket.ReadUntilCloseAsync();

        Assert.Single(received);
        Assert.StartsWith("notifications unavailable", socket.Socket.CloseStatusDescription, StringComparison.Ordinal);
        Assert.Equal(WebSocketState.Closed, socket.Socket.State);
        var logged = fixture.Log.Entries
            .Where(entry => entry.Category == typeof(PushSession).FullName && entry.Values.GetValueOrDefault("Player")?.ToString() == player.Uuid.ToString())
            .ToList();
        Assert.StartsWith($"Push connection for player {player.Uuid} (none: all players) ended by the server (Unavailable)", logged[^1].Message, StringComparison.Ordinal);
        return (player.Uuid, logged);
    }

    /// <summary>A gateway whose feed reads for a player fail on demand, with what <see cref="PushSession"/> logs kept, Debug included.</summary>
    public sealed class Fixture : GatewayFixture
    {
        public FailingFeedReads FeedReads { get; } = new();

        public LogCapture Log { get; } = new();

        protected override void ConfigureServices(IServiceCollection services)
        {
            services.AddSingleton<IIncomingGrainCallFilter>(FeedReads);
            Log.AddTo(services, typeof(PushSession).FullName!);
        }
    }

    /// <summary>
    /// For a player given a failure: the first read of their notifications is answered as it is, but saying there
    /// is more; every later read fails with the failure.
    /// </summary>
    public sealed class FailingFeedReads : IIncomingGrainCallFilter
    {
        private readonly ConcurrentDictionary<Guid, int> _reads = new();

        public ConcurrentDictionary<Guid, Exception> Failures { get; } = new();

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.Grain is not INotificationFeedGrain
                || context.Request.GetArgumentCount() != 1
                || context.Request.GetArgument(0) is not NotificationQuery { PlayerUuid: { } player }
                || !Failures.TryGetValue(player, out var failure))
            {
                await context.Invoke();
                return;
            }

            if (_reads.AddOrUpdate(player, 1, (_, reads) => reads + 1) > 1)
            {
                throw failure;
            }

            await context.Invoke();
            context.Result = ((NotificationPage)context.Result!) with { More = true };
        }
    }
}
