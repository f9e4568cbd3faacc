using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Bench;

/// <summary>The built projects the harness starts, found from the repository root and the configuration (Release).</summary>
internal sealed record BuildOutput(string Root, string Configuration)
{
    public string GatewayDll => Dll("Gateway", "Gateway.dll");

    public string SimulatorDll => Dll("XboxLiveSimulator", "XboxLiveSimulator.dll");

    public string BenchDll => Dll("bench", "Bench.dll");

    private string Dll(string project, string name)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build with bench/run.sh (dotnet build -c {Configuration})");
    }
}

/// <summary>The gateway run as a user runs it: <c>dotnet Gateway.dll --urls ...</c> with its configuration in the environment.</summary>
internal sealed class GatewayHost : IDisposable
{
    private readonly ChildProcess _process;

    private GatewayHost(ChildProcess process, Uri baseAddress, string token)
    {
        _process = process;
        BaseAddress = baseAddress;
        Token = token;
        Client = LoadGenerator.CreateClient(baseAddress, 16, token);
    }

    public Uri BaseAddress { get; }

    /// <summary>A development-issuer token with <c>inv:* user:* ops:metrics</c> (the harness reads the gateway's own histograms).</summary>
    public string Token { get; }

    /// <summary>A client for set-up requests (not the measured ones).</summary>
    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    public static async Task<GatewayHost> StartAsync(BuildOutput build, string dataDirectory, IReadOnlyDictionary<string, string> settings)
    {
        // The development issuer's key lives in the data directory: the token command makes it first.
        var token = (await ChildProcess.RunToEndAsync(
            ChildProcess.DotnetHost,
            [build.GatewayDll, "token", "--permissions", "inv:* user:* ops:metrics", "--ttl", "3h", $"--Storage:DataDirectory={dataDirectory}"],
            Path.GetDirectoryName(build.GatewayDll))).Trim();
        var port = FreePorts.Next();
        var environment = new Dictionary<string, string>
        {
            ["Storage__DataDirectory"] = dataDirectory,
            ["Orleans__SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["Logging__LogLevel__Default"] = "Warning",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = ChildProcess.Start("gateway", build.GatewayDll, ["--urls", $"http://127.0.0.1:{port}"], environment);
        var gateway = new GatewayHost(process, new Uri($"http://127.0.0.1:{port}"), token);
        try
        {
            await process.WaitUntilAsync(gateway.AnswersAsync, TimeSpan.FromSeconds(90));
        }
        catch
        {
            gateway.Dispose();
            throw;
        }

        return gateway;
    }

    /// <summary>Link a platform user (Steam) to a new player; returns the player UUID.</summary>
    public async Task<Guid> LinkPlayerAsync(string platformUserId)
    {
        using var response = await Client.PutAsync(
            new Uri($"/users/v1/platform-user?platform=Steam&platform_user_id={platformUserId}&display_name=bench", UriKind.Relative), null);
        var body = await Expect(response, HttpStatusCode.Created, HttpStatusCode.OK);
        return Guid.Parse(body["player_uuid"]!.GetValue<string>(), CultureInfo.InvariantCulture);
    }

    public static string GrantBody(string platformUserId, string transactionId) =>
        $$$"""{"action_type":"grant","platform":"Steam","platform_user_id":"{{{platformUserId}}}","sku":"gems_100","quantity":1,"platform_transaction_id":"{{{transactionId}}}","platform_data":{"source":"bench"}}""";

    /// <summary>POST one grant; returns null when it was recorded, else the error.</summary>
    public static async Task<string?> GrantAsync(HttpClient client, string platformUserId, string transactionId, Action<string>? onEventId = null)
    {
        using var content = new StringContent(GrantBody(platformUserId, transactionId), System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/inventory/v1/entitlement-event", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return $"grant: HTTP {(int)response.StatusCode} {Shorten(text)}";
        }

        if (onEventId is not null)
        {
            onEventId(JsonNode.Parse(text)!["event_id"]!.GetValue<string>());
        }

        return null;
    }

    /// <summary>GET with the set-up client; null when it answered 200, else the error.</summary>
    public static async Task<string?> GetOkAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return $"GET {path}: HTTP {(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync())}";
        }

        // Read to the end (the handler checks it against Content-Length) without copying or decoding it:
        // the generator shares the cores with the server, so it does no more than a client must.
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await body.ReadAsync(buffer) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return null;
    }

    /// <summary>GET a text body; null unless it answered 200.</summary>
    public static async Task<string?> GetTextAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null;
    }

    public static async Task<JsonNode> Expect(HttpResponseMessage response, params HttpStatusCode[] statuses)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        if (!statuses.Contains(response.StatusCode))
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: HTTP {(int)response.StatusCode} {Shorten(text)}");
        }

        return JsonNode.Parse(text)!;
    }

    public static string Shorten(string text) => text.Length > 300 ? text[..300] + "..." : text;

    public void Dispose()
    {
        Client.Dispose();
        _process.Dispose();
    }

    private async Task<bool> AnswersAsync()
    {
        // A platform user that does not exist: 404 once the silo answers grain calls.
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        probe.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        using var response = await probe.GetAsync(new Uri("/users/v1/platform-user?platform=Steam&platform_user_id=readiness-probe", UriKind.Relative));
        return response.StatusCode == HttpStatusCode.NotFound;
    }
}

/// <summary>The Xbox Live collections simulator process, with its keys in a directory of the run.</summary>
internal sealed class SimulatorProcess : IDisposable
{
    private readonly ChildProcess _process;

    private SimulatorProcess(ChildProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Client = LoadGenerator.CreateClient(baseAddress, 64);
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string RelyingPartyKeyFile { get; private set; } = "";

    public string SigningKeysFile { get; private set; } = "";

    public static async Task<SimulatorProcess> StartAsync(BuildOutput build, string keysDirectory)
    {
        var port = FreePorts.Next();
        var process = ChildProcess.Start(
            "xbox-simulator",
            build.SimulatorDll,
            ["--urls", $"http://127.0.0.1:{port}", $"--Simulator:KeysDirectory={keysDirectory}", "--Simulator:SeedFile=", "--Logging:LogLevel:Default=Warning"]);
        var simulator = new SimulatorProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await process.WaitUntilAsync(
                async () =>
                {
                    using var response = await simulator.Client.GetAsync(new Uri("admin/keys", UriKind.Relative));
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        return false;
                    }

                    var keys = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                    simulator.RelyingPartyKeyFile = keys["relyingPartyKeyFile"]!.GetValue<string>();
                    simulator.SigningKeysFile = keys["signingKeysFile"]!.GetValue<string>();
                    return true;
                },
                TimeSpan.FromSeconds(60));
        }
        catch
        {
            simulator.Dispose();
            throw;
        }

        return simulator;
    }

    /// <summary>The gateway settings that point it at this simulator.</summary>
    public IReadOnlyDictionary<string, string> GatewaySettings => new Dictionary<string, string>
    {
        ["Xbox:RelyingPartyKeyFile"] = RelyingPartyKeyFile,
        ["Xbox:SigningKeysFile"] = SigningKeysFile,
        ["Xbox:CollectionsUrl"] = BaseAddress.AbsoluteUri,
    };

    /// <summary>Create a user with no items; returns its XboxToken.</summary>
    public async Task<string> CreateUserAsync(string xuid)
    {
        using (var put = await Client.PutAsync(new Uri($"admin/users/{xuid}", UriKind.Relative), JsonContent.Create(new JsonObject { ["gamertag"] = "bench", ["items"] = new JsonArray() })))
        {
            await GatewayHost.Expect(put, HttpStatusCode.OK);
        }

        using var token = await Client.PostAsync(new Uri($"admin/users/{xuid}/token", UriKind.Relative), JsonContent.Create(new JsonObject()));
        return (await GatewayHost.Expect(token, HttpStatusCode.OK))["xboxToken"]!.GetValue<string>();
    }

    /// <summary>Give a user one more unit of the sample catalog's Xbox gems (a consumable, new item id).</summary>
    public async Task<string?> AddGemsAsync(string xuid, string itemId)
    {
        var items = new JsonArray(new JsonObject { ["id"] = itemId, ["productId"] = "9NBLGGH4R2R6", ["productKind"] = "Consumable", ["quantity"] = 1 });
        using var response = await Client.PostAsync(new Uri($"admin/users/{xuid}/items", UriKind.Relative), JsonContent.Create(items));
        return response.StatusCode == HttpStatusCode.OK ? null : $"simulator add item: HTTP {(int)response.StatusCode}";
    }

    public void Dispose()
    {
        Client.Dispose();
        _process.Dispose();
    }
}
