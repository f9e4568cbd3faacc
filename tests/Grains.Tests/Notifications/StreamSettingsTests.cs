using Entitlements.Notifications;
using Entitlements.Tests.Cluster;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Entitlements.Tests.Notifications;

/// <summary>The <c>Notifications</c> settings that reach the silo's stream provider.</summary>
public sealed class StreamSettingsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task StreamProvider_Configured_TakesThePollIntervalAndTheCacheWindow()
    {
        var cluster = ClusterFixture.Build(_directory.Path, new Dictionary<string, string?>
        {
            ["Notifications:StreamPollInterval"] = "00:00:00.035",
            ["Notifications:StreamCacheWindow"] = "00:00:07",
        });
        await cluster.DeployAsync();
        try
        {
            var (agent, eviction) = Options(cluster);

            Assert.Equal(TimeSpan.FromMilliseconds(35), agent.GetQueueMsgsTimerPeriod);
            Assert.Equal((TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7)), (eviction.DataMinTimeInCache, eviction.DataMaxAgeInCache));
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
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static (StreamPullingAgentOptions Agent, StreamCacheEvictionOptions Eviction) Options(Orleans.TestingHost.InProcessTestCluster cluster)
    {
        var services = cluster.Silos[0].ServiceProvider;
        return (
            services.GetRequiredService<IOptionsMonitor<StreamPullingAgentOptions>>().Get(NotificationStreams.ProviderName),
            services.GetRequiredService<IOptionsMonitor<StreamCacheEvictionOptions>>().Get(NotificationStreams.ProviderName));
    }
}
