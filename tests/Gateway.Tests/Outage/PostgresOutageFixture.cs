using System.Diagnostics;
using System.Net;
using Entitlements.Gateway.Auth;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.PlayFab;
using Entitlements.Tests.Postgres;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Outage;

/// <summary>
/// A real gateway process on a PostgreSQL server of its own (a throwaway one, so that the tests may stop
/// and start it without disturbing anyone), with the Xbox Live simulator and one webhook configured, so
/// that every surface has something to reach the database for.
/// </summary>
public sealed class PostgresOutageFixture : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>
    /// The longest any answer may take while the database is down. Connecting to a stopped server is
    /// refused at once, and a connection the crash dropped fails at its next read or write; the slowest
    /// failure the gateway configures is the 3 s connect timeout (<c>PostgresConnectionDefaults</c>), for
    /// a server that does not answer at all. 5 s leaves room for a loaded 2-core machine.
    /// </summary>
    public static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(5);

    private readonly TempDirectory _data = new();

    public PostgresServer Postgres { get; private set; } = null!;

    public SimulatorHost Simulator { get; private set; } = null!;

    internal GatewayProcess Gateway { get; private set; } = null!;

    public HttpClient Client => Gateway.Client;

    /// <summary>A client with the operator routes' permission.</summary>
    public HttpClient Ops { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await PostgresServer.StartThrowawayAsync();
        var database = await Postgres.CreateDatabaseAsync();
        Simulator = await SimulatorHost.StartAsync();
        var settings = XboxGatewayFixture.Settings(Simulator).ToDictionary(pair => pair.Key, pair => pair.Value ?? "");
        settings["Storage:Provider"] = "PostgreSql";
        settings["Storage:ConnectionString"] = database;
        settings["Notifications:Webhooks:0:Name"] = "outage-hook";
        settings["Notifications:Webhooks:0:Url"] = $"http://127.0.0.1:{FreePorts.Next()}/hook";
        settings["Notifications:Webhooks:0:Secret"] = new string('s', 40);
        settings["Notifications:Webhooks:0:MaxAttempts"] = "1000";
        Gateway = await GatewayProcess.StartAsync(_data.Path, settings: settings);
        var issuer = new DevelopmentIssuer(Options.Create(new StorageOptions { DataDirectory = _data.Path }), TimeProvider.System);
        Ops = new HttpClient { BaseAddress = Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Ops.DefaultRequestHeaders.Authorization = new("Bearer", issuer.Mint([Permissions.WebhooksAdmin, Permissions.Backups], player: null, TimeSpan.FromHours(1)));
    }

    public async Task DisposeAsync()
    {
        Ops?.Dispose();
        Gateway?.Dispose();
        if (Simulator is not null)
        {
            await Simulator.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }

        _data.Dispose();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    /// <summary>Send a request and time it; a request that takes longer than <see cref="AnswerBound"/> twice over is cut off and fails the test.</summary>
    public async Task<(ApiResponse Response, TimeSpan Elapsed)> TimedAsync(Func<HttpClient, Task<ApiResponse>> send, HttpClient? client = null)
    {
        var clock = Stopwatch.StartNew();
        var response = await send(client ?? Client).WaitAsync(AnswerBound * 2);
        return (response, clock.Elapsed);
    }

    /// <summary>Grant until one is answered 200 (the gateway resumed by itself), or fail after <paramref name="limit"/>; returns how long that took.</summary>
    public async Task<TimeSpan> WaitUntilServingAsync(Player player, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var response = await Client.PostEventAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("probe"), quantity: 1));
            if (response.Status == HttpStatusCode.OK)
            {
                return clock.Elapsed;
            }

            Assert.True(clock.Elapsed < limit, $"the gateway still answers {response} {clock.Elapsed} after PostgreSQL came back:\n{Gateway.Output}");
            await Task.Delay(100);
        }
    }
}
