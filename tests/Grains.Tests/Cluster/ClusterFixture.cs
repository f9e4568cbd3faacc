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
public class ClusterFixture : IAsyncLifetime, IDisposable
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
        var settings = new Dictionary<string, string?>
        {
            ["Ledger:SnapshotEvery"] = SnapshotEvery.ToString(CultureInfo.InvariantCulture),
        };
        await AddSettingsAsync(settings);
        _cluster = Build(_directory.Path, settings);
        await _cluster.DeployAsync();
    }

    /// <summary>More configuration for the silo, e.g. another storage engine (see <c>PostgresClusterFixture</c>).</summary>
    protected virtual Task AddSettingsAsync(IDictionary<string, string?> settings) => Task.CompletedTask;

    /// <summary>
    /// A one-silo cluster on the SQLite database in <paramref name="dataDirectory"/>, not yet deployed;
    /// <paramref name="configureSilo"/> runs after the silo's own set-up (e.g. to wrap its store).
    /// </summary>
    public static InProcessTestCluster Build(string dataDirectory, IDictionary<string, string?>? settings = null, Action<ISiloBuilder>? configureSilo = null)
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
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddEntitlements(configuration);
            configureSilo?.Invoke(silo);
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(NotificationStreams.ProviderName));
        return builder.Build();
    }

    public virtual async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _directory.Dispose();
        GC.SuppressFinalize(this);
    }
}
