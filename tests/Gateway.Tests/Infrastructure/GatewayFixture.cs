using System.Globalization;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// One gateway with its embedded silo, listening on a real loopback port, with a fresh data directory.
/// Shared by the tests of one class; every test uses its own players, SKUs and transaction ids.
/// A derived fixture may add configuration (<see cref="Configure"/>) and replace services (<see cref="ConfigureServices"/>).
/// </summary>
public class GatewayFixture : IAsyncLifetime, IAsyncDisposable
{
    private readonly TempDirectory _data = new();
    private WebApplication? _app;
    private HttpClient? _client;

    public WebApplication App => _app ?? throw new InvalidOperationException("The gateway has not started.");

    public HttpClient Client => _client ?? throw new InvalidOperationException("The gateway has not started.");

    public string DataDirectory => _data.Path;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Storage:DataDirectory"] = _data.Path,
            ["Catalog:SeedFile"] = Path.Combine(AppContext.BaseDirectory, "catalog.sample.json"),
            ["Orleans:ClusterId"] = "gateway-tests-" + Guid.NewGuid().ToString("N"),
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Error",
            ["Logging:LogLevel:Microsoft"] = "Error",
        };
        Configure(settings);
        string[] args = EnvironmentName is { } environment ? ["--urls", "http://127.0.0.1:0", "--environment", environment] : ["--urls", "http://127.0.0.1:0"];
        _app = GatewayApp.Build(args, builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Host.UseServiceProviderFactory(new LastWordServiceProviderFactory(builder.Environment.IsDevelopment(), ConfigureServices));
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        if (_app.Services.GetService<DevelopmentIssuer>() is { } issuer)
        {
            _client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Operator(issuer));
        }
    }

    public virtual async Task DisposeAsync()
    {
        _client?.Dispose();
        _client = null;
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }

        _data.Dispose();
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Add to or override the gateway's configuration before it is built.</summary>
    /// <summary>The host environment to run in; null for the default (Production).</summary>
    protected virtual string? EnvironmentName => null;

    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    /// <summary>Replace services once the gateway has registered its own: the last registration of a service wins.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>The host's own provider (validated in Development only, as by default), built after <paramref name="configure"/> has had its say.</summary>
    private sealed class LastWordServiceProviderFactory(bool development, Action<IServiceCollection> configure) : IServiceProviderFactory<IServiceCollection>
    {
        public IServiceCollection CreateBuilder(IServiceCollection services)
        {
            configure(services);
            return services;
        }

        public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder) =>
            containerBuilder.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = development, ValidateOnBuild = development });
    }
}
