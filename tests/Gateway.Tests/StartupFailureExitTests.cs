using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests;

/// <summary>
/// The built gateway and silo, run as processes with a setting that stops their start: they exit with
/// code 1 and say why. They used to let the exception escape <c>Main</c>, which aborts the .NET runtime
/// (SIGABRT, exit code 134, "Unhandled exception." and a core dump where those are enabled), at every
/// start of a restart loop.
/// </summary>
public sealed class StartupFailureExitTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "entitlements-startup-exit-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Theory]
    [InlineData("Gateway", "Gateway.dll", "The gateway stopped: ")]
    [InlineData("Silo", "Silo.dll", "The silo stopped: ")]
    public async Task BadSetting_ExitsWithCode1AndTheReason(string project, string dll, string stopped)
    {
        var (exitCode, output, error) = await RunAsync(
            GatewayProcess.BuiltDll(project, dll),
            "--Ledger:SnapshotEvery=1e3",
            $"--Storage:DataDirectory={_dataDirectory}",
            $"--urls=http://127.0.0.1:{FreePorts.Next()}",
            $"--Orleans:SiloPort={FreePorts.Next()}",
            $"--Orleans:GatewayPort={FreePorts.Next()}");

        Assert.True(exitCode == 1, $"exit {exitCode}; stdout: {output}; stderr: {error}");
        Assert.Contains(stopped + "Failed to convert configuration value '1e3' at 'Ledger:SnapshotEvery'", error, StringComparison.Ordinal);
        Assert.Contains("System.InvalidOperationException: Failed to convert configuration value '1e3'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output + error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gateway", "Gateway.dll", "The gateway stopped: ")]
    [InlineData("Silo", "Silo.dll", "The silo stopped: ")]
    public async Task OrleansSettingOutOfRange_ExitsWithCode1AndNamesTheKey(string project, string dll, string stopped)
    {
        var (exitCode, output, error) = await RunAsync(
            GatewayProcess.BuiltDll(project, dll),
            "--Orleans:Messaging:SystemResponseTimeout=00:00:00",
            $"--Storage:DataDirectory={_dataDirectory}",
            $"--urls=http://127.0.0.1:{FreePorts.Next()}",
            $"--Orleans:SiloPort={FreePorts.Next()}",
            $"--Orleans:GatewayPort={FreePorts.Next()}");

        Assert.True(exitCode == 1, $"exit {exitCode}; stdout: {output}; stderr: {error}");
        Assert.Contains(stopped + "Orleans:Messaging:SystemResponseTimeout must be positive.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output + error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("XboxLiveSimulator", "XboxLiveSimulator.dll", "--Simulator:TokenLifetimeSeconds=abc", "The Xbox Live simulator stopped: ", "'Simulator:TokenLifetimeSeconds'")]
    [InlineData("Samples/GameService", "GameService.dll", "--Orleans:GatewayPort=abc", "The game service stopped: ", "'Orleans:GatewayPort'")]
    public async Task Tool_BadSetting_ExitsWithCode1AndTheReason(string project, string dll, string setting, string stopped, string key)
    {
        var (exitCode, output, error) = await RunAsync(GatewayProcess.BuiltDll(project, dll), setting, $"--urls=http://127.0.0.1:{FreePorts.Next()}");

        Assert.True(exitCode == 1, $"exit {exitCode}; stdout: {output}; stderr: {error}");
        Assert.Contains(stopped + "Failed to convert configuration value 'abc' at " + key, error, StringComparison.Ordinal);
        Assert.Contains("System.InvalidOperationException: Failed to convert configuration value 'abc'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenCommand_BadSettingInTheEnvironment_ExitsWithCode1AndTheWholeException()
    {
        var (exitCode, output, error) = await RunAsync(
            GatewayProcess.BuiltDll("Gateway", "Gateway.dll"),
            new Dictionary<string, string> { ["Auth__ClockSkewSeconds"] = "abc", ["Storage__DataDirectory"] = _dataDirectory },
            "token",
            "--permissions",
            "inv:*");

        Assert.True(exitCode == 1, $"exit {exitCode}; stdout: {output}; stderr: {error}");
        Assert.Contains("The gateway stopped: Failed to convert configuration value 'abc' at 'Auth:ClockSkewSeconds'", error, StringComparison.Ordinal);
        Assert.Contains("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output + error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(string dll, params string[] arguments) =>
        RunAsync(dll, [], arguments);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string dll, Dictionary<string, string> environment, params string[] arguments)
    {
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        environment["DOTNET_ENVIRONMENT"] = "Production";
        var (exitCode, output, error) = await BuiltProcess.RunAsync(dll, environment, arguments);
        return (exitCode, output, error);
    }
}
