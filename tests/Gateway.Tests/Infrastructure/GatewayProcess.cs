using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Entitlements.Gateway.Auth;
using Entitlements.Storage;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// The built gateway (<c>Gateway/bin/&lt;Configuration&gt;/net10.0/Gateway.dll</c>) run as a real child
/// process with <c>dotnet</c>, on free ports and a given data directory.
/// </summary>
internal sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private int _disposed;

    private GatewayProcess(Process process, Uri baseAddress, string token, int orleansGatewayPort, string clusterId)
    {
        _process = process;
        BaseAddress = baseAddress;
        OrleansGatewayPort = orleansGatewayPort;
        ClusterId = clusterId;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new("Bearer", token);
    }

    public Uri BaseAddress { get; }

    /// <summary>The co-hosted silo's port for Orleans clients.</summary>
    public int OrleansGatewayPort { get; }

    public string ClusterId { get; }

    public HttpClient Client { get; }

    /// <summary>What the process wrote so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string GatewayDll => BuiltDll("Gateway", "Gateway.dll");

    /// <summary>A project's built assembly in this test run's configuration, e.g. <c>Gateway/bin/Debug/net10.0/Gateway.dll</c>.</summary>
    public static string BuiltDll(string projectFolder, string dllName)
    {
        var configuration = typeof(GatewayProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepositoryFolders.Root, projectFolder, "bin", configuration, "net10.0", dllName);
        Assert.True(File.Exists(dll), $"{dll} does not exist: build the solution first");
        return dll;
    }

    /// <summary>
    /// Start the gateway and wait until it answers HTTP, or fail with its output. <paramref name="clusterId"/>
    /// names the Orleans cluster (a fresh one by default); <paramref name="settings"/> are more configuration
    /// (keys as in appsettings, <c>Section:Key</c>); <paramref name="started"/> gets the process as soon as it
    /// runs, before it answers (to watch its output meanwhile).
    /// </summary>
    public static async Task<GatewayProcess> StartAsync(
        string dataDirectory, string? clusterId = null, IReadOnlyDictionary<string, string>? settings = null, Action<GatewayProcess>? started = null)
    {
        var dll = GatewayDll;
        var port = FreePorts.Next();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["Storage__DataDirectory"] = dataDirectory;
        start.Environment["Orleans__SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        var orleansGatewayPort = FreePorts.Next();
        clusterId ??= Unique.Name("gateway");
        start.Environment["Orleans__GatewayPort"] = orleansGatewayPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["Orleans__ClusterId"] = clusterId;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = start };
        // The development issuer's key lives in the data directory: the process will sign with the same one.
        var issuer = new DevelopmentIssuer(Options.Create(new StorageOptions { DataDirectory = dataDirectory }), TimeProvider.System);
        var gateway = new GatewayProcess(process, new Uri($"http://127.0.0.1:{port}"), TestTokens.Operator(issuer), orleansGatewayPort, clusterId);
        process.OutputDataReceived += (_, e) => gateway.Append(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.Append(e.Data);
        Assert.True(process.Start(), "the gateway process did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        started?.Invoke(gateway);
        try
        {
            await gateway.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            gateway.Dispose();
            throw;
        }

        return gateway;
    }

    /// <summary>Wait until the process ends by itself (a test fault that kills it), or fail after <paramref name="timeout"/>.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
    }

    /// <summary>The exit code of a process that has ended.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Ask the process to stop, as an orchestrator or Ctrl+C does (SIGTERM), without waiting.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Kill the process and everything it started, as a crash would, and wait until it is gone.</summary>
    public void Kill()
    {
        if (!HasExited())
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Kill();
        Client.Dispose();
        _process.Dispose();
    }

    private bool HasExited()
    {
        try
        {
            return _process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        probe.DefaultRequestHeaders.Authorization = Client.DefaultRequestHeaders.Authorization;
        while (true)
        {
            if (HasExited())
            {
                // Without a timeout, WaitForExit also waits until the output readers have had the last
                // lines (the unhandled exception's text comes last): without it they could be missing.
                _process.WaitForExit();
                Assert.Fail($"the gateway exited with code {_process.ExitCode}:\n{Output}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"the gateway did not answer within {timeout}:\n{Output}");
            try
            {
                // A platform user that does not exist: 404 once the silo answers grain calls.
                using var response = await probe.GetAsync(new Uri("/users/v1/platform-user?platform=Steam&platform_user_id=readiness-probe", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }
    }
}
