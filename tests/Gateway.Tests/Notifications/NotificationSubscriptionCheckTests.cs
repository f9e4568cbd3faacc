using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Notifications;
using Entitlements.Notifications;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Streams;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// The stream can drop the gateway's subscription without telling it (a pulling agent that could not
/// reach the gateway removes the consumer). Here the subscription is removed behind the hub's back, by the
/// gateway's own cluster client: the hub notices at its next check, ends the open connections with a
/// resume cursor, and subscribes again.
/// </summary>
public sealed class NotificationSubscriptionCheckTests(NotificationSubscriptionCheckTests.Fixture fixture) : IClassFixture<NotificationSubscriptionCheckTests.Fixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task DroppedSubscription_IsNoticedAndRestored_AndOpenConnectionsAreToldToResume()
    {
        var player = await _client.CreatePlayerAsync();
        await using var before = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
        var first = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        var (seen, _) = await before.NextNotificationAsync();
        Assert.Equal(first, seen["event_id"]!.GetValue<string>());

        var stream = fixture.App.Services.GetRequiredService<IClusterClient>()
            .GetStreamProvider(NotificationStreams.ProviderName).GetStream<EntitlementNotification>(NotificationStreams.AllPlayers);
        await WaitUntilSubscribedAsync();
        var dropped = Assert.Single(await stream.GetAllSubscriptionHandles());
        var positionAsked = fixture.RelayPosition.Next(hold: false);
        await dropped.UnsubscribeAsync();

        // Within a check interval (and a retry delay), the open connection is ended with the cursor to resume from.
        var rest = await before.ReadUntilCloseAsync(NotificationHubSubscription.CheckInterval + TimeSpan.FromSeconds(20));
        Assert.Empty(rest);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, before.Socket.CloseStatus);
        Assert.Equal($"notification stream interrupted; resume with after={seen["cursor"]!.GetValue<string>()}", before.Socket.CloseStatusDescription);

        // The hub holds a new subscription, and a new connection gets the next grant.
        var restored = await WaitForAsync(async () => (await stream.GetAllSubscriptionHandles()) is [var handle] && handle.HandleId != dropped.HandleId);
        Assert.True(restored, "the hub did not subscribe again");

        // The stream shows the new subscription a moment before the hub has taken it in; once the relay has
        // answered the hub with its position and the hub is done, a connection opened is not one it ends for the gap.
        await positionAsked.Asked.Task.WaitAsync(RestoreTimeout);
        await WaitUntilSubscribedAsync();
        await using var after = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
        var second = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        Assert.Equal(second, (await after.NextNotificationAsync()).Json["event_id"]!.GetValue<string>());
    }

    /// <summary>
    /// Connections opened while the hub has no subscription get nothing live. One opened before the hub
    /// noticed is ended when it does, with the cursor of the position it started at (it was sent nothing);
    /// one opened after that, before the hub subscribed again, is ended once it has. Each resumes from
    /// the ledger and gets the grant made in the gap.
    /// </summary>
    [Fact]
    public async Task DroppedSubscription_ConnectionsOpenedInTheGap_ResumeAndGetWhatTheStreamMissed()
    {
        var player = await _client.CreatePlayerAsync();
        var stream = fixture.App.Services.GetRequiredService<IClusterClient>()
            .GetStreamProvider(NotificationStreams.ProviderName).GetStream<EntitlementNotification>(NotificationStreams.AllPlayers);
        await WaitUntilSubscribedAsync();
        var dropped = Assert.Single(await stream.GetAllSubscriptionHandles());
        await dropped.UnsubscribeAsync();

        // Opened and granted before the hub notices (it checks every few seconds): the grant reaches no one live.
        await using var unnoticed = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
        var first = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        Assert.Empty(await unnoticed.ReadUntilCloseAsync(NotificationHubSubscription.CheckInterval + TimeSpan.FromSeconds(20)));
        Assert.Equal(WebSocketCloseStatus.InternalServerError, unnoticed.Socket.CloseStatus);
        var resumeUnnoticed = ResumeCursor(unnoticed.Socket.CloseStatusDescription);

        // The hub noticed and subscribes again after a short delay: a connection opened now, and a grant
        // made now, may fall in that gap too.
        await using var late = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
        var second = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));

        await using (var resumed = await PushSocket.ConnectAsync(fixture.BaseAddress(), $"{PushRoutes.PlayerWebSocket(player.Uuid)}?after={resumeUnnoticed}", fixture.PlayerToken(player.Uuid)))
        {
            var replayed = await resumed.ReadUntilAsync(n => n["event_id"]!.GetValue<string>() == second);
            Assert.Equal([first, second], replayed.Select(n => n["event_id"]!.GetValue<string>()));
        }

        // The late connection gets the second grant live (it opened after the new subscription), or is
        // ended once the hub has subscribed again, and resumes to get it from the ledger.
        var (type, text) = await late.NextNotificationOrCloseAsync();
        if (type == WebSocketMessageType.Close)
        {
            Assert.Equal(WebSocketCloseStatus.InternalServerError, late.Socket.CloseStatus);
            await using var resumedLate = await PushSocket.ConnectAsync(
                fixture.BaseAddress(), $"{PushRoutes.PlayerWebSocket(player.Uuid)}?after={ResumeCursor(late.Socket.CloseStatusDescription)}", fixture.PlayerToken(player.Uuid));
            text = (await resumedLate.NextNotificationAsync()).Text;
        }

        Assert.Equal(second, ExpectedEvent.Id(JsonNode.Parse(text)!));
    }

    /// <summary>
    /// Once the hub has subscribed again it ends the connections opened in the gap, after the relay has answered with
    /// its position: one opened while that question was out could have missed a notification unnoticed, and is
    /// ended too. One opened after the answer gets the grants live and stays open.
    /// </summary>
    [Fact]
    public async Task DroppedSubscription_ConnectionOpenedBeforeThePositionIsKnown_IsEnded_OneOpenedAfter_IsNot()
    {
        var player = await _client.CreatePlayerAsync();
        var stream = fixture.App.Services.GetRequiredService<IClusterClient>()
            .GetStreamProvider(NotificationStreams.ProviderName).GetStream<EntitlementNotification>(NotificationStreams.AllPlayers);
        await WaitUntilSubscribedAsync();
        var dropped = Assert.Single(await stream.GetAllSubscriptionHandles());
        var positionAsked = fixture.RelayPosition.Next(hold: true);
        try
        {
            await dropped.UnsubscribeAsync();

            // The hub noticed, subscribed again, and asks the relay where it stands: held here. A notification
            // the stream lost now would show no gap, so a connection opened now is ended once the hub is done.
            await positionAsked.Asked.Task.WaitAsync(RestoreTimeout);
            Assert.True((await stream.GetAllSubscriptionHandles()) is [var handle] && handle.HandleId != dropped.HandleId, "the hub did not subscribe again");
            await using var during = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
            positionAsked.Release();
            await WaitUntilSubscribedAsync();
            var rest = await during.ReadUntilCloseAsync(RestoreTimeout);
            Assert.Empty(rest);
            Assert.Equal(WebSocketCloseStatus.InternalServerError, during.Socket.CloseStatus);
            Assert.StartsWith("notification stream interrupted; resume with after=", during.Socket.CloseStatusDescription, StringComparison.Ordinal);

            // Opened once the relay has answered: gaps show from then on, and the connection is left alone.
            await using var after = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
            var grant = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
            Assert.Equal(grant, (await after.NextNotificationAsync()).Json["event_id"]!.GetValue<string>());
            var next = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
            Assert.Equal(next, (await after.NextNotificationAsync()).Json["event_id"]!.GetValue<string>());
        }
        finally
        {
            positionAsked.Release();
        }
    }

    /// <summary>
    /// After the hub subscribes again the relay cannot tell it its position (its silo is out of reach), and the
    /// hub keeps asking. A connection opened meanwhile must not be carried past a notification the stream lost:
    /// here the stream's next notification says the relay published one before it that the connection never
    /// got. The connection is ended with the cursor it started at, and resuming reads the lost one from the
    /// ledger, once.
    /// </summary>
    [Fact]
    public async Task DroppedSubscription_RelayPositionRefused_ConnectionOpenedMeanwhile_IsNotCarriedPastALostNotification()
    {
        var player = await _client.CreatePlayerAsync();
        await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var cluster = fixture.App.Services.GetRequiredService<IClusterClient>();
        var feed = cluster.GetGrain<INotificationFeedGrain>(0);
        var earlier = Assert.Single((await feed.ReadAsync(new NotificationQuery(player.Uuid, 0, 10))).Notifications);
        var stream = cluster.GetStreamProvider(NotificationStreams.ProviderName).GetStream<EntitlementNotification>(NotificationStreams.AllPlayers);
        await WaitUntilSubscribedAsync();
        var dropped = Assert.Single(await stream.GetAllSubscriptionHandles());
        var refusal = fixture.RelayPosition.RefuseUntilReleased();
        try
        {
            // The hub noticed, subscribed again, was refused its position, and is done ending the connections
            // opened in the gap: a connection opened now is one it leaves open.
            await DropUntilResubscribedWithoutPositionAsync(stream, dropped, refusal);
            await using var during = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
            var head = await feed.HeadAsync();

            // The stream delivers a notification of the player that follows one at head + 2, which it lost.
            await stream.OnNextAsync(earlier with { Position = head + 4, PublishedAfter = head + 2 });
            var (type, _) = await during.NextNotificationOrCloseAsync();
            Assert.Equal(WebSocketMessageType.Close, type);
            Assert.Equal(WebSocketCloseStatus.InternalServerError, during.Socket.CloseStatus);
            var resume = ResumeCursor(during.Socket.CloseStatusDescription);
            Assert.Equal(head, await feed.DecodeCursorAsync(resume));

            // The lost notification and the one that followed it are in the ledger: resuming reads each once.
            var lost = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
            var following = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
            await using var resumed = await PushSocket.ConnectAsync(fixture.BaseAddress(), $"{PushRoutes.PlayerWebSocket(player.Uuid)}?after={resume}", fixture.PlayerToken(player.Uuid));
            var replayed = await resumed.ReadUntilAsync(n => n["event_id"]!.GetValue<string>() == following);
            Assert.Equal([lost, following], replayed.Select(n => n["event_id"]!.GetValue<string>()));
        }
        finally
        {
            refusal.Release();
        }
    }

    /// <summary>
    /// After the hub subscribes again the relay cannot tell it its position, and no notification comes: the hub
    /// asks again until the relay answers, then ends the connection opened meanwhile with the cursor it started
    /// at. One opened after that stays open and gets the grants live.
    /// </summary>
    [Fact]
    public async Task DroppedSubscription_RelayPositionRefused_HubAsksAgain_AndEndsTheConnectionOpenedUntilTheRelayAnswers()
    {
        var player = await _client.CreatePlayerAsync();
        var cluster = fixture.App.Services.GetRequiredService<IClusterClient>();
        var feed = cluster.GetGrain<INotificationFeedGrain>(0);
        var stream = cluster.GetStreamProvider(NotificationStreams.ProviderName).GetStream<EntitlementNotification>(NotificationStreams.AllPlayers);
        await WaitUntilSubscribedAsync();
        var dropped = Assert.Single(await stream.GetAllSubscriptionHandles());
        var refusal = fixture.RelayPosition.RefuseUntilReleased();
        try
        {
            await DropUntilResubscribedWithoutPositionAsync(stream, dropped, refusal);
            await using var during = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
            var head = await feed.HeadAsync();

            // The relay answers the hub's next question.
            refusal.Release();
            Assert.Empty(await during.ReadUntilCloseAsync(MaxPositionWait));
            Assert.Equal(WebSocketCloseStatus.InternalServerError, during.Socket.CloseStatus);
            Assert.Equal(head, await feed.DecodeCursorAsync(ResumeCursor(during.Socket.CloseStatusDescription)));
        }
        finally
        {
            refusal.Release();
        }

        await WaitUntilSubscribedAsync();
        await using var after = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
        var grant = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        Assert.Equal(grant, (await after.NextNotificationAsync()).Json["event_id"]!.GetValue<string>());
        var next = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        Assert.Equal(next, (await after.NextNotificationAsync()).Json["event_id"]!.GetValue<string>());
    }

    /// <summary>
    /// An old subscription that could not be removed when the hub subscribed again (the cluster could not be
    /// reached for the unsubscribe) would hand the hub every notification a second time. Here one is made by the
    /// gateway's own cluster client and feeds the hub as the old one did: the next check removes it, keeps the
    /// hub's own, and a connection gets each notification once.
    /// </summary>
    [Fact]
    public async Task SecondSubscription_IsRemovedAtTheNextCheck_AndEachNotificationArrivesOnce()
    {
        var player = await _client.CreatePlayerAsync();
        var stream = fixture.App.Services.GetRequiredService<IClusterClient>()
            .GetStreamProvider(NotificationStreams.ProviderName).GetStream<EntitlementNotification>(NotificationStreams.AllPlayers);
        await WaitUntilSubscribedAsync();
        var current = Assert.Single(await stream.GetAllSubscriptionHandles());
        var hub = fixture.App.Services.GetRequiredService<NotificationHub>();
        var leaked = await stream.SubscribeAsync((notification, _) =>
        {
            hub.Publish(notification);
            return Task.CompletedTask;
        });

        var removed = await WaitForAsync(async () => (await stream.GetAllSubscriptionHandles()) is [var handle] && handle.HandleId == current.HandleId);
        Assert.True(removed, $"the second subscription {leaked.HandleId} is still there");

        await using var socket = await PushSocket.ConnectAsync(fixture.BaseAddress(), PushRoutes.PlayerWebSocket(player.Uuid), fixture.PlayerToken(player.Uuid));
        var first = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        var second = ExpectedEvent.Id(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        Assert.Equal(first, (await socket.NextNotificationAsync()).Json["event_id"]!.GetValue<string>());
        Assert.Equal(second, (await socket.NextNotificationAsync()).Json["event_id"]!.GetValue<string>());
    }

    /// <summary>
    /// Remove the hub's subscription behind its back and wait until it has subscribed again, been refused the
    /// relay's position (<paramref name="refusal"/>) and finished subscribing.
    /// </summary>
    private async Task DropUntilResubscribedWithoutPositionAsync(
        IAsyncStream<EntitlementNotification> stream, StreamSubscriptionHandle<EntitlementNotification> dropped, RelayPositionWatch.PositionAsk refusal)
    {
        await dropped.UnsubscribeAsync();
        await refusal.Asked.Task.WaitAsync(RestoreTimeout);
        Assert.True(await WaitForAsync(async () => (await stream.GetAllSubscriptionHandles()) is [var handle] && handle.HandleId != dropped.HandleId), "the hub did not subscribe again");
        Assert.True(await WaitForAsync(() => Task.FromResult(!HubSubscription.Resubscribing)), "the hub is still subscribing again");
    }

    private static readonly TimeSpan RestoreTimeout = NotificationHubSubscription.CheckInterval + TimeSpan.FromSeconds(20);

    /// <summary>Longer than the hub waits between two questions to the relay.</summary>
    private static readonly TimeSpan MaxPositionWait = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Until the hub is done with an earlier test's drop: its questions to the relay (a refused one is asked
    /// again after a wait) and its ending of the connections opened in that gap must not fall into this test.
    /// </summary>
    private async Task WaitUntilSubscribedAsync() =>
        Assert.True(await WaitForAsync(() => Task.FromResult(!HubSubscription.Resubscribing && !HubSubscription.AskingRelayPosition), MaxPositionWait), "the hub is still subscribing again");

    private NotificationHubSubscription HubSubscription =>
        fixture.App.Services.GetServices<IHostedService>().OfType<NotificationHubSubscription>().Single();

    private static string ResumeCursor(string? reason)
    {
        const string Prefix = "notification stream interrupted; resume with after=";
        Assert.True(reason?.StartsWith(Prefix, StringComparison.Ordinal) == true, $"no resume cursor in '{reason}'");
        return reason[Prefix.Length..];
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTimeOffset.UtcNow + (within ?? RestoreTimeout);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }

    /// <summary>A gateway whose relay grain lets the test see, and hold, the hub's next question for its position.</summary>
    public sealed class Fixture : GatewayFixture
    {
        public RelayPositionWatch RelayPosition { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) =>
            services.AddSingleton<IIncomingGrainCallFilter>(RelayPosition);
    }

    /// <summary>
    /// Sees the next call of <see cref="INotificationRelayGrain.GetPositionAsync"/> once armed, and holds it until
    /// released when asked to; or refuses every call, as a relay out of reach would, until released.
    /// </summary>
    public sealed class RelayPositionWatch : IIncomingGrainCallFilter
    {
        private PositionAsk? _next;
        private PositionAsk? _refusal;

        /// <summary>Watch the next call only; with <paramref name="hold"/>, it waits for <see cref="PositionAsk.Release"/>.</summary>
        public PositionAsk Next(bool hold)
        {
            var ask = new PositionAsk(hold);
            Volatile.Write(ref _next, ask);
            return ask;
        }

        /// <summary>Fail every call from now on, until <see cref="PositionAsk.Release"/>; <see cref="PositionAsk.Asked"/> is set at the first.</summary>
        public PositionAsk RefuseUntilReleased()
        {
            var refusal = new PositionAsk(hold: true);
            Volatile.Write(ref _refusal, refusal);
            return refusal;
        }

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.Grain is INotificationRelayGrain && context.InterfaceMethod?.Name == nameof(INotificationRelayGrain.GetPositionAsync))
            {
                if (Volatile.Read(ref _refusal) is { Released.IsCompleted: false } refusal)
                {
                    refusal.Asked.TrySetResult();
                    throw new TimeoutException("The relay cannot be reached (refused by the test).");
                }

                if (Interlocked.Exchange(ref _next, null) is { } ask)
                {
                    ask.Asked.TrySetResult();
                    await ask.Released;
                }
            }

            await context.Invoke();
        }

        public sealed class PositionAsk(bool hold)
        {
            private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public Task Released => hold ? _release.Task : Task.CompletedTask;

            public void Release() => _release.TrySetResult();
        }
    }
}
