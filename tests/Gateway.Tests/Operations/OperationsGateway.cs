using Entitlements.Gateway.Auth;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Operations;

/// <summary>
/// One gateway process for the operator tests, logging JSON to its stdout with scopes (so every line in a
/// request carries its trace id) and the hosting diagnostics' request lines on. Tokens come from its
/// development issuer, with whatever permissions a test needs.
/// </summary>
public sealed class OperationsGateway : IAsyncLifetime, IDisposable
{
    /// <summary>The configuration that turns on JSON logs with trace ids, as docs/operations.md documents it.</summary>
    public static readonly IReadOnlyDictionary<string, string> JsonLogging = new Dictionary<string, string>
    {
        ["Logging:Console:FormatterName"] = "json",
        ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
    };

    private readonly TempDirectory _data = new();
    private GatewayProcess? _process;
    private DevelopmentIssuer? _issuer;

    public Uri BaseAddress => Process.BaseAddress;

    /// <summary>A client with the process's own token (<c>inv:*</c>, <c>user:*</c>).</summary>
    public HttpClient Operator => Process.Client;

    /// <summary>What the process wrote to stdout and stderr so far.</summary>
    public string Output => Process.Output;

    private GatewayProcess Process => _process ?? throw new InvalidOperationException("The gateway has not started.");

    public async Task InitializeAsync()
    {
        _process = await GatewayProcess.StartAsync(_data.Path, settings: JsonLogging);
        _issuer = new DevelopmentIssuer(Options.Create(new StorageOptions { DataDirectory = _data.Path }), TimeProvider.System);
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _process?.Dispose();
        _process = null;
        _data.Dispose();
    }

    /// <summary>A token of this gateway's issuer holding <paramref name="permissions"/>.</summary>
    public string Token(params string[] permissions) =>
        (_issuer ?? throw new InvalidOperationException("The gateway has not started.")).Mint(permissions, player: null, TimeSpan.FromHours(1));

    /// <summary>A client that follows no redirect and keeps no cookie, sending <paramref name="token"/> as a bearer token when given.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class OperationsGatewayGroup : ICollectionFixture<OperationsGateway>
{
    public const string Name = "operations gateway";
}
