using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Entitlements.Gateway.Auth;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Entitlements.Tests.Cluster;

/// <summary>
/// A real cluster started by <c>scripts/cluster.sh</c> (the documented command) from the builds of this
/// test run: PostgreSQL, two silos and two gateways as separate processes on free loopback ports, in a
/// temp state directory. Stopped and deleted when the collection is done.
/// </summary>
public sealed class ScriptedCluster : IAsyncLifetime
{
    public const int Silos = 2;
    public const int Gateways = 2;

    /// <summary>
    /// The grain-call timeout of every silo and gateway of the test cluster (<c>Orleans:Messaging:ResponseTimeout</c>,
    /// 30 s by default): a call sent to a silo just before it died fails after this long, and is then retried.
    /// </summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>What a gateway request may take at most: the response timeout, then the gateway answers 503; plus slack for a loaded machine.</summary>
    public static readonly TimeSpan RequestTimeout = ResponseTimeout + TimeSpan.FromSeconds(15);

    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "entitlements-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly List<HttpClient> _clients = [];
    private DevelopmentIssuer? _issuer;

    public string ConnectionString { get; private set; } = "";

    /// <summary>The cluster's <c>Orleans:ClusterId</c>, a fresh one per run.</summary>
    public string ClusterId { get; private set; } = "";

    /// <summary>Gateway <paramref name="index"/> (1-based), with an operator token.</summary>
    public HttpClient Gateway(int index) => _clients[index - 1];

    public Uri GatewayAddress(int index) => Gateway(index).BaseAddress!;

    public DevelopmentIssuer Issuer => _issuer ?? throw new InvalidOperationException("The cluster is not started.");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_stateDirectory);
        var output = await ScriptAsync("start", "--silos", Silos.ToString(CultureInfo.InvariantCulture), "--gateways", Gateways.ToString(CultureInfo.InvariantCulture));
        ConnectionString = ReadSetting("connection_string");
        ClusterId = ReadSetting("cluster_id");
        var basePort = int.Parse(ReadSetting("base_port"), CultureInfo.InvariantCulture);
        var keyFile = Path.Combine(_stateDirectory, "dev-signing-key.json");
        Assert.True(File.Exists(keyFile), $"no shared token key after start: {output}");
        _issuer = new DevelopmentIssuer(
            Options.Create(new StorageOptions()), Options.Create(new AuthOptions { DevelopmentKeyFile = keyFile }), TimeProvider.System);
        for (var gateway = 1; gateway <= Gateways; gateway++)
        {
            var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{basePort + 30 + gateway}"), Timeout = RequestTimeout };
            client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.Operator(_issuer));
            _clients.Add(client);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        try
        {
            await ScriptAsync("stop");
        }
        finally
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }

    /// <summary><c>kill -9</c> silo <paramref name="index"/>; returns when the process is gone.</summary>
    public void KillSilo(int index)
    {
        var pid = int.Parse(File.ReadAllText(Path.Combine(_stateDirectory, "pids", $"silo-{index}.pid")).Trim(), CultureInfo.InvariantCulture);
        using var process = Process.GetProcessById(pid);
        process.Kill(); // SIGKILL on Unix
        process.WaitForExit();
    }

    /// <summary>Start silo <paramref name="index"/> again (same ports), through the script; returns when it takes clients.</summary>
    public Task StartSiloAsync(int index) => ScriptAsync("start-silo", index.ToString(CultureInfo.InvariantCulture));

    /// <summary>What process <paramref name="name"/> (<c>silo-1</c>, <c>gateway-2</c>, ...) has logged so far.</summary>
    public string Log(string name)
    {
        using var stream = new FileStream(Path.Combine(_stateDirectory, "logs", name + ".log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A scalar straight from the cluster's database.</summary>
    public async Task<T> QueryAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A setting of the started cluster, read back by bash as the script itself reads it (its values are shell-quoted).</summary>
    private string ReadSetting(string name)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])["-c", "source \"$1\" && printf '%s' \"${!2}\"", "bash", Path.Combine(_stateDirectory, "cluster.env"), name])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var value = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"cluster.env could not be read for {name}");
        return value;
    }

    private async Task<string> ScriptAsync(params string[] arguments)
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "cluster.sh");
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CLUSTER_STATE_DIR"] = _stateDirectory;
        start.Environment["CLUSTER_NO_BUILD"] = "1";
        start.Environment["CLUSTER_CONFIGURATION"] = typeof(ScriptedCluster).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        start.Environment["CLUSTER_ID"] = "test-" + Guid.NewGuid().ToString("N")[..8];
        start.Environment["Orleans__Messaging__ResponseTimeout"] = ResponseTimeout.ToString("c", CultureInfo.InvariantCulture); // inherited by every process
        if (arguments[0] == "start")
        {
            // The script's layout: P PostgreSQL, P+10+I silo I, P+20+I its client port, P+30+J gateway J.
            start.Environment["CLUSTER_BASE_PORT"] = FreePorts.Consecutive(40).ToString(CultureInfo.InvariantCulture);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // The script and everything it has started so far (builds, silos, gateways, a database server)
            // would otherwise run on after the test has failed.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cluster.sh {string.Join(' ', arguments)} did not finish within 4 minutes; its process tree was killed");
        }

        var text = await output + await error;
        Assert.True(process.ExitCode == 0, $"cluster.sh {string.Join(' ', arguments)} exited with {process.ExitCode}: {text}");
        return text;
    }

    private static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Orleans.sln")))
        {
            root = root.Parent;
        }

        return root?.FullName ?? throw new InvalidOperationException($"no Orleans.sln above {AppContext.BaseDirectory}");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScriptedClusterGroup : ICollectionFixture<ScriptedCluster>
{
    public const string Name = "Scripted cluster";
}
