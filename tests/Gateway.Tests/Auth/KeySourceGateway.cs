using System.Diagnostics.Metrics;
using System.Globalization;
using Entitlements.Gateway.Auth;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Entitlements.Tests.Auth;

/// <summary>
/// A gateway of its own, whose keys (<see cref="Keys"/>) come from a <see cref="JwksEndpoint"/> (<see cref="Endpoint"/>)
/// and whose key set reads the time
/// from <see cref="Time"/>: the refresh interval (<see cref="RefreshIntervalSeconds"/>, an hour), the
/// key set's maximum age (<see cref="KeySetMaxAgeSeconds"/>, two hours) and the back-off after a failed
/// load pass only when a test moves that clock. Its token validator keeps the
/// system clock, so tokens stay valid however far the key set's clock goes. What it logs at <c>Warning</c>
/// and above is kept in <see cref="Log"/>.
/// </summary>
public sealed class KeySourceGateway : GatewayFixture
{
    public const int RefreshIntervalSeconds = 3600;

    /// <summary><c>Auth:KeySetMaxAgeSeconds</c>: longer than the interval, so that a test moving the clock by one interval causes no read of its own.</summary>
    public const int KeySetMaxAgeSeconds = 2 * RefreshIntervalSeconds;

    private readonly TempDirectory _keyDirectory = new();
    private readonly MeterListener _listener = new();
    private long _activeRequests;

    private JwksEndpoint? _endpoint;

    private KeySourceGateway() => Keys = new TestKeys(Path.Combine(_keyDirectory.Path, "jwks.json"));

    public TestKeys Keys { get; }

    public JwksEndpoint Endpoint => _endpoint ?? throw new InvalidOperationException("The JWKS endpoint has not started.");

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public LogCapture Log { get; } = new();

    /// <summary>Start the JWKS endpoint, then the gateway, and count the gateway's HTTP requests in progress from then on.</summary>
    public static async Task<KeySourceGateway> StartAsync()
    {
        var gateway = new KeySourceGateway();
        try
        {
            gateway._endpoint = await JwksEndpoint.StartAsync(gateway.Keys);
            await gateway.InitializeAsync();
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        gateway.Listen();
        return gateway;
    }

    private void Listen()
    {
        var meters = App.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "http.server.active_requests")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _activeRequests, value));
        _listener.Start();
    }

    /// <summary>Wait until the gateway has ended every request it received, or fail after 30 seconds.</summary>
    public async Task WaitUntilIdleAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Interlocked.Read(ref _activeRequests) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the gateway still has {Interlocked.Read(ref _activeRequests)} requests in progress");
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    public override async Task DisposeAsync()
    {
        _listener.Dispose();
        await base.DisposeAsync();
        if (_endpoint is { } endpoint)
        {
            await endpoint.DisposeAsync();
        }

        Keys.Dispose();
        _keyDirectory.Dispose();
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Auth:JwksUrl"] = Endpoint.Url.ToString();
        settings["Auth:Issuer"] = TestKeys.Issuer;
        settings["Auth:Audience"] = TestKeys.Audience;
        settings["Auth:KeyRefreshIntervalSeconds"] = RefreshIntervalSeconds.ToString(CultureInfo.InvariantCulture);
        settings["Auth:KeySetMaxAgeSeconds"] = KeySetMaxAgeSeconds.ToString(CultureInfo.InvariantCulture);
    }

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<SigningKeySet>(provider, Time));
        Log.AddTo(services);
    }
}
