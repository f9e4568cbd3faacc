using System.Diagnostics;
using System.Globalization;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Cluster;

/// <summary>
/// <c>scripts/cluster.sh status</c> on a state directory written by hand (pid files and the settings
/// <c>start</c> leaves): what runs, with the addresses <c>start</c> printed, and a word when nothing was
/// started; <c>start-silo</c> and <c>start-gateway</c> refuse a state directory nothing was started in.
/// No cluster is started: a live pid is this test process, a dead one a process that has exited.
/// </summary>
public sealed class ClusterScriptStatusTests : IDisposable
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "entitlements-cluster-status-" + Guid.NewGuid().ToString("N"));

    public ClusterScriptStatusTests() => Directory.CreateDirectory(Path.Combine(_stateDirectory, "pids"));

    public void Dispose() => Directory.Delete(_stateDirectory, recursive: true);

    [Fact]
    public async Task Status_NamesEveryProcessWithItsAddress()
    {
        File.WriteAllText(
            Path.Combine(_stateDirectory, "cluster.env"),
            "silos=2\ngateways=2\nbase_port=16000\nconfiguration=Debug\ncluster_id=test\nconnection_string='Host=127.0.0.1;Port=16000'\n");
        var live = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        WritePid("postgres", live);
        WritePid("silo-1", live);
        WritePid("silo-2", await ExitedPidAsync());
        WritePid("gateway-2", live);

        var output = await StatusAsync();

        Assert.Equal(
            $"gateway-2: pid {live} running, http://127.0.0.1:16032\n" +
            $"postgres: pid {live} running, port 16000\n" +
            $"silo-1: pid {live} running, silo port 16011, client port 16021\n" +
            "silo-2: not running\n",
            output);
    }

    [Fact]
    public async Task Status_WithNothingStarted_SaysSo()
    {
        var output = await StatusAsync();

        Assert.Equal($"nothing started in {_stateDirectory}\n", output);
    }

    [Theory]
    [InlineData("start-silo")]
    [InlineData("start-gateway")]
    public async Task StartOne_WithNothingStarted_RefusesAndStartsNothing(string command)
    {
        var (exitCode, output, error) = await RunAsync(command, "1");

        Assert.Equal((1, "", $"nothing started in {_stateDirectory} (no cluster.env): run 'scripts/cluster.sh start' first, or give the --state-dir it used\n"), (exitCode, output, error));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_stateDirectory, "pids")));
        Assert.False(Directory.Exists(Path.Combine(_stateDirectory, "logs")));
    }

    private void WritePid(string name, string pid) => File.WriteAllText(Path.Combine(_stateDirectory, "pids", name + ".pid"), pid + "\n");

    private static async Task<string> ExitedPidAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false }) ?? throw new InvalidOperationException("true did not start");
        await process.WaitForExitAsync();
        return process.Id.ToString(CultureInfo.InvariantCulture);
    }

    private async Task<string> StatusAsync()
    {
        var (exitCode, output, error) = await RunAsync("status");
        Assert.True(exitCode == 0, $"cluster.sh status exited with {exitCode}: {error}");
        return output;
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryFolders.Root, "scripts", "cluster.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CLUSTER_STATE_DIR"] = _stateDirectory;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await output, await error);
    }
}
