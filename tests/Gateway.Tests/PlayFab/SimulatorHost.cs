using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;
using Entitlements.XboxLiveSimulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.PlayFab;

/// <summary>The Xbox Live collections simulator on a real loopback port, with its keys in a fresh directory.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly TempDirectory _keys = new();
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string RelyingPartyKeyFile => Path.Combine(_keys.Path, SimulatorKeys.RelyingPartyKeyFile);

    public string SigningKeysFile => Path.Combine(_keys.Path, SimulatorKeys.SigningJwksFile);

    /// <param name="time">The simulator's clock (the tokens' <c>iat</c>, <c>nbf</c> and <c>exp</c>); the system's when null.</param>
    public static async Task<SimulatorHost> StartAsync(TimeProvider? time = null)
    {
        var host = new SimulatorHost();
        var settings = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Simulator:KeysDirectory"] = host._keys.Path,
            ["Simulator:SeedFile"] = "",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        host._app = SimulatorApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
        });
        await host._app.StartAsync();
        var address = host._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        host.BaseAddress = new Uri(address + "/");
        host.Client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        return host;
    }

    /// <summary>A new user with a fresh XUID and the given items.</summary>
    public async Task<string> CreateUserAsync(params JsonObject[] items)
    {
        var xuid = NewXuid();
        await PutUserAsync(xuid, items);
        return xuid;
    }

    public async Task PutUserAsync(string xuid, IEnumerable<JsonObject> items)
    {
        var body = new JsonObject { ["gamertag"] = "Tester", ["items"] = new JsonArray([.. items]) };
        using var response = await Client.PutAsync(new Uri($"admin/users/{xuid}", UriKind.Relative), JsonContent.Create(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The user's XboxToken (<c>XBL3.0 x=...;...</c>), shaped by <paramref name="request"/>.</summary>
    public async Task<string> TokenAsync(string xuid, JsonObject? request = null)
    {
        using var response = await Client.PostAsync(new Uri($"admin/users/{xuid}/token", UriKind.Relative), JsonContent.Create(request ?? []));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return body["xboxToken"]!.GetValue<string>();
    }

    public async Task<JsonObject> UserAsync(string xuid)
    {
        using var response = await Client.GetAsync(new Uri($"admin/users/{xuid}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>The tracking id of every consume request the simulator received from the user, in order, repeats and refusals included.</summary>
    public async Task<IReadOnlyList<string>> ConsumeTrackingIdsAsync(string xuid) =>
        [.. (await UserAsync(xuid))["consumeTrackingIds"]!.AsArray().Select(id => id!.GetValue<string>())];

    /// <summary>The remaining quantity of the user's item <paramref name="itemId"/>.</summary>
    public async Task<long> QuantityAsync(string xuid, string itemId)
    {
        var user = await UserAsync(xuid);
        return user["items"]!.AsArray().Single(i => i!["id"]!.GetValue<string>() == itemId)!["quantity"]!.GetValue<long>();
    }

    /// <summary>
    /// How many of the user's consumes the simulator is holding now (<c>consumeDelayMilliseconds</c>), received
    /// and not yet answered, and the most it ever held at once.
    /// </summary>
    public async Task<(int Held, int MostAtOnce)> ConsumesHeldAsync(string xuid)
    {
        using var response = await Client.GetAsync(new Uri($"admin/consumes/held?xuid={Uri.EscapeDataString(xuid)}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (body["held"]!.GetValue<int>(), body["mostAtOnce"]!.GetValue<int>());
    }

    /// <summary>A collections call (<paramref name="path"/>, e.g. <c>v8.0/collections/consume</c>) with the user's XboxToken, as the gateway makes it.</summary>
    public async Task<(HttpStatusCode Status, JsonObject Body)> PostCollectionsAsync(string token, string path, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("Authorization", token);
        using var response = await Client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    /// <summary>
    /// Wait until the simulator has admitted at least <paramref name="queries"/> queries and <paramref name="consumes"/>
    /// consumes of the user since it was created (counted on arrival, before any hold or delay); fails after 10 s.
    /// </summary>
    public async Task WaitForArrivalsAsync(string xuid, int queries = 0, int consumes = 0)
    {
        using var response = await Client.GetAsync(new Uri(
            $"admin/users/{xuid}/arrivals?queries={queries.ToString(CultureInfo.InvariantCulture)}&consumes={consumes.ToString(CultureInfo.InvariantCulture)}",
            UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(
            response.StatusCode == HttpStatusCode.OK,
            $"the simulator did not see {queries} queries and {consumes} consumes of {xuid} within 10 s: {(int)response.StatusCode} {body}");
    }

    public async Task SetFaultsAsync(JsonObject faults)
    {
        using var response = await Client.PutAsync(new Uri("admin/faults", UriKind.Relative), JsonContent.Create(faults));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Run <paramref name="call"/> while the simulator injects <paramref name="faults"/>; the faults are cleared after it, whatever it did.</summary>
    public async Task<T> UnderFaultsAsync<T>(JsonObject faults, Func<Task<T>> call)
    {
        await SetFaultsAsync(faults);
        try
        {
            return await call();
        }
        finally
        {
            await SetFaultsAsync([]);
        }
    }

    public static JsonObject Item(string id, string productId, string kind, long quantity = 1) =>
        new() { ["id"] = id, ["productId"] = productId, ["productKind"] = kind, ["quantity"] = quantity };

    public static string NewXuid() => "2535" + Random.Shared.NextInt64(100_000_000_000, 999_999_999_999).ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }

        _keys.Dispose();
    }
}
