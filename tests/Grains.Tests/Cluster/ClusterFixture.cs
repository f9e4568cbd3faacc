using System.Globalization;
using Entitlements.Hosting;
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
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:DataDirectory"] = _directory.Path,
                ["Catalog:SeedFile"] = string.Empty,
                ["Ledger:SnapshotEvery"] = SnapshotEvery.ToString(CultureInfo.InvariantCulture),
            })
            .Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddEntitlements(configuration));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
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
