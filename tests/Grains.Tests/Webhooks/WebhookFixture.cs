using Entitlements.Tests.Storage;
using Orleans.TestingHost;

namespace Entitlements.Tests.Webhooks;

/// <summary>
/// A loopback receiver and a cluster with one webhook, <see cref="Name"/>, posting to it: three
/// attempts, 20 ms first backoff, five seconds at most, five-second timeout.
/// </summary>
public sealed class WebhookFixture : IAsyncLifetime, IDisposable
{
    public const string Name = "orders";
    public const string Path = "/hooks/orders";

    private readonly TempDirectory _directory = new();
    private WebhookReceiver? _receiver;
    private InProcessTestCluster? _cluster;

    public WebhookReceiver Receiver => _receiver ?? throw new InvalidOperationException("The receiver is not started.");

    public IClusterClient Client => (_cluster ?? throw new InvalidOperationException("The cluster is not deployed.")).Client;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _cluster = await WebhookCluster.StartAsync(_directory.Path, WebhookCluster.Webhook(0, Name, _receiver.Url(Path)));
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    public void Dispose() => _directory.Dispose();
}
