using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.OpenApi;

/// <summary>One gateway run as a process for a test class, on a fresh data directory.</summary>
public sealed class GatewayProcessFixture : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _data = new();
    private GatewayProcess? _gateway;

    internal GatewayProcess Gateway => _gateway ?? throw new InvalidOperationException("The gateway has not started.");

    public async Task InitializeAsync() => _gateway = await GatewayProcess.StartAsync(_data.Path);

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _gateway?.Dispose();
        _gateway = null;
        _data.Dispose();
    }
}
