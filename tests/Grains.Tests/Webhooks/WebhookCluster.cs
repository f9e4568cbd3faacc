using System.Globalization;
using Entitlements.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Entitlements.Tests.Webhooks;

/// <summary>A one-silo in-process cluster on a given data directory, with webhooks configured.</summary>
public static class WebhookCluster
{
    public const string Secret = "test-webhook-secret-0123456789abcdef";

    /// <summary>
    /// The settings of webhook <paramref name="index"/>: small backoffs so that retries take milliseconds. The
    /// send timeout is 5 s: a stalled endpoint's attempt ends soon enough for a test to wait, and a loopback
    /// answer on a loaded machine is not taken for a failure (which would send the notification again and
    /// spoil the tests' exact counts; with 1 s it once did).
    /// </summary>
    public static Dictionary<string, string?> Webhook(int index, string name, Uri url, int maxAttempts = 3, string maxBackoff = "00:00:05", string timeout = "00:00:05")
    {
        var key = $"Notifications:Webhooks:{index.ToString(CultureInfo.InvariantCulture)}";
        return new Dictionary<string, string?>
        {
            [$"{key}:Name"] = name,
            [$"{key}:Url"] = url.ToString(),
            [$"{key}:Secret"] = Secret,
            [$"{key}:MaxAttempts"] = maxAttempts.ToString(CultureInfo.InvariantCulture),
            [$"{key}:InitialBackoff"] = "00:00:00.020",
            [$"{key}:MaxBackoff"] = maxBackoff,
            [$"{key}:Timeout"] = timeout,
        };
    }

    public static Task<InProcessTestCluster> StartAsync(string dataDirectory, params IEnumerable<KeyValuePair<string, string?>>[] settings) =>
        StartAsync(dataDirectory, configure: null, settings);

    /// <summary>The same, with <paramref name="configure"/> applied to the silo after the entitlements (to replace a service).</summary>
    public static async Task<InProcessTestCluster> StartAsync(string dataDirectory, Action<ISiloBuilder>? configure, params IEnumerable<KeyValuePair<string, string?>>[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = dataDirectory,
            ["Catalog:SeedFile"] = string.Empty,
            ["Notifications:PollInterval"] = "00:00:00.500",
        };
        foreach (var pair in settings.SelectMany(s => s))
        {
            values[pair.Key] = pair.Value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddEntitlements(configuration);
            configure?.Invoke(silo);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
