using System.Collections.Concurrent;
using Entitlements.Contracts;
using Entitlements.Notifications;
using Entitlements.Tests.Cluster;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Streaming.Diagnostics;
using Orleans.Streams;

namespace Entitlements.Tests.Notifications;

/// <summary>The <c>Notifications</c> settings that reach the silo's stream provider.</summary>
public sealed class StreamSettingsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task StreamProvider_Configured_TakesThePollIntervalTheCacheWindowAndTheInactivityPeriod()
    {
        var cluster = ClusterFixture.Build(_directory.Path, new Dictionary<string, string?>
        {
            ["Notifications:StreamPollInterval"] = "00:00:00.035",
            ["Notifications:StreamCacheWindow"] = "00:00:07",
            ["Notifications:StreamInactivityPeriod"] = "00:00:09",
        });
        await cluster.DeployAsync();
        try
        {
            var (agent, eviction) = Options(cluster);

            Assert.Equal(TimeSpan.FromMilliseconds(35), agent.GetQueueMsgsTimerPeriod);
            Assert.Equal((TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7)), (eviction.DataMinTimeInCache, eviction.DataMaxAgeInCache));
            Assert.Equal(TimeSpan.FromSeconds(9), agent.StreamInactivityPeriod);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task StreamProvider_Unconfigured_PollsEvery5MsAndKeepsOneMinuteNotOrleansThirty()
    {
        var cluster = ClusterFixture.Build(_directory.Path);
        await cluster.DeployAsync();
        try
        {
            var (agent, eviction) = Options(cluster);

            Assert.Equal(TimeSpan.FromMilliseconds(5), agent.GetQueueMsgsTimerPeriod);
            Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)), (eviction.DataMinTimeInCache, eviction.DataMaxAgeInCache));
            Assert.Equal(TimeSpan.FromMinutes(30), new StreamCacheEvictionOptions().DataMaxAgeInCache);
            Assert.Equal(TimeSpan.FromMinutes(1), agent.StreamInactivityPeriod);
            Assert.Equal(TimeSpan.FromMinutes(30), new StreamPullingAgentOptions().StreamInactivityPeriod);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task PlayerStream_NotifiedAgainAfterItsAgentDroppedIt_DeliversToItsSubscriber()
    {
        var cluster = ClusterFixture.Build(_directory.Path, new Dictionary<string, string?>
        {
            ["Notifications:StreamInactivityPeriod"] = "00:00:01",
        });
        await cluster.DeployAsync();
        try
        {
            var world = new GrainWorld(cluster.Client);
            var user = await world.NewPlayerAsync();
            var sku = await world.PutSkuAsync(EntitlementType.Consumable);
            var streamId = NotificationStreams.ForPlayer(NotificationKind.EntitlementUpdated, user.PlayerUuid);
            var dropped = new StreamEvents<StreamingEvents.StreamInactive>(e => e.StreamId.Equals(streamId));
            using var listening = StreamingEvents.AllEvents.Subscribe(dropped);
            var received = new ConcurrentQueue<EntitlementNotification>();
            var errors = new ConcurrentQueue<Exception>();
            var subscription = await cluster.Client.GetStreamProvider(NotificationStreams.ProviderName)
                .GetStream<EntitlementNotification>(streamId)
                .SubscribeAsync(
                    (n, _) => { received.Enqueue(n); return Task.CompletedTask; },
                    e => { errors.Enqueue(e); return Task.CompletedTask; });

            var first = await world.SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"));
            await WaitUntilAsync(() => received.Count == 1);
            // One period without messages: the agent takes the stream out of the set it scans on every poll.
            await WaitUntilAsync(() => dropped.Count == 1);
            var second = await world.SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx"));
            await WaitUntilAsync(() => received.Count == 2);

            Assert.Equal([first.EventId, second.EventId], received.Select(n => n.EventId));
            Assert.Empty(errors);
            await subscription.UnsubscribeAsync();
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition) =>
        Poll.UntilAsync(condition, TimeSpan.FromSeconds(10), "The condition did not hold within 10 seconds.");

    private static (StreamPullingAgentOptions Agent, StreamCacheEvictionOptions Eviction) Options(Orleans.TestingHost.InProcessTestCluster cluster)
    {
        var services = cluster.Silos[0].ServiceProvider;
        return (
            services.GetRequiredService<IOptionsMonitor<StreamPullingAgentOptions>>().Get(NotificationStreams.ProviderName),
            services.GetRequiredService<IOptionsMonitor<StreamCacheEvictionOptions>>().Get(NotificationStreams.ProviderName));
    }

    /// <summary>Counts Orleans' streaming diagnostics of one kind that match.</summary>
    private sealed class StreamEvents<T>(Func<T, bool> matches) : IObserver<StreamingEvents.StreamingEvent>
        where T : StreamingEvents.StreamingEvent
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void OnNext(StreamingEvents.StreamingEvent value)
        {
            if (value is T match && matches(match))
            {
                Interlocked.Increment(ref _count);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
