using System.Globalization;
using Entitlements.Hosting;
using Entitlements.Notifications;
using Entitlements.Storage;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Entitlements.Tests.Cluster;

/// <summary>
/// One in-process Orleans cluster (one silo) for every grain test of the assembly, on a SQLite
/// database in a fresh temp directory, with no catalog seed and a snapshot every
/// <see cref="SnapshotEvery"/> events.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime, IDisposable
{
    public const int SnapshotEvery = 5;

    private readonly TempDirectory _directory = new();
    private InProcessTestCluster? _cluster;

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not deployed.");

    public IClusterClient Client => Cluster.Client;

    /// <summary>The silo's own store, to look at what the grains wrote.</summary>
    public ILedgerStore Store => Cluster.Silos[0].ServiceProvider.GetRequiredService<ILedgerStore>();

    public async Task InitializeAsync()
    {
        _cluster = Build(_directory.Path, new Dictionary<string, string?>
        {
            ["Ledger:SnapshotEvery"] = SnapshotEvery.ToString(CultureInfo.InvariantCulture),
        });
        await _cluster.DeployAsync();
    }

    /// <summary>A one-silo cluster on the SQLite database in <paramref name="dataDirectory"/>, not yet deployed.</summary>
    public static InProcessTestCluster Build(string dataDirectory, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = dataDirectory,
            ["Catalog:SeedFile"] = string.Empty,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddEntitlements(configuration));
        builder.ConfigureClient(client => client.AddMemoryStreams(NotificationStreams.ProviderName));
        return builder.Build();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    public void Dispose() => _directory.Dispose();
}
