using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// The simulator and a gateway configured for it (its keys, its URL, short timeouts and retry delays).
/// A derived fixture may add settings (<see cref="ConfigureXbox"/>) and replace services (<see cref="ConfigureServices"/>).
/// </summary>
public class XboxGatewayFixture : IAsyncLifetime, IAsyncDisposable
{
    private XboxGateway? _gateway;

    public SimulatorHost Simulator { get; private set; } = null!;

    public GatewayFixture Gateway => _gateway ?? throw new InvalidOperationException("The gateway has not started.");

    public HttpClient Client => Gateway.Client;

    public async Task InitializeAsync()
    {
        Simulator = await SimulatorHost.StartAsync(SimulatorTime);
        var settings = Settings(Simulator);
        ConfigureXbox(settings);
        _gateway = new XboxGateway(settings, EnvironmentName, ConfigureServices);
        await _gateway.InitializeAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (_gateway is { } gateway)
        {
            _gateway = null;
            await gateway.DisposeAsync();
        }

        await Simulator.DisposeAsync();
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>The gateway settings that point it at <paramref name="simulator"/>.</summary>
    public static Dictionary<string, string?> Settings(SimulatorHost simulator) => new()
    {
        ["Xbox:RelyingPartyKeyFile"] = simulator.RelyingPartyKeyFile,
        ["Xbox:SigningKeysFile"] = simulator.SigningKeysFile,
        ["Xbox:CollectionsUrl"] = simulator.BaseAddress.AbsoluteUri,
        ["Xbox:TimeoutMilliseconds"] = "2000",
        ["Xbox:MaxAttempts"] = "3",
        ["Xbox:MaxRetryDelayMilliseconds"] = "20",
        ["Xbox:PageSize"] = "25",
        ["PlayFab:DefaultCatalogVersion"] = "main",
    };

    /// <summary>The simulator's clock; null for the system's.</summary>
    protected virtual TimeProvider? SimulatorTime => null;

    /// <summary>The gateway's host environment; null for the default (Production).</summary>
    protected virtual string? EnvironmentName => null;

    protected virtual void ConfigureXbox(IDictionary<string, string?> settings)
    {
    }

    /// <summary>Replace the gateway's services (see <see cref="GatewayFixture"/>).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    private sealed class XboxGateway(IReadOnlyDictionary<string, string?> extra, string? environmentName, Action<IServiceCollection> configureServices) : GatewayFixture
    {
        protected override string? EnvironmentName => environmentName;

        protected override void ConfigureServices(IServiceCollection services) => configureServices(services);

        protected override void Configure(IDictionary<string, string?> settings)
        {
            foreach (var (key, value) in extra)
            {
                settings[key] = value;
            }

            settings["Logging:LogLevel:Entitlements"] = "Error";
        }
    }
}
