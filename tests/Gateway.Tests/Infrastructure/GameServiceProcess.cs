using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// The sample game service (<c>Samples/GameService</c>) run as a real child process, an Orleans client
/// of a <see cref="GatewayProcess"/>'s co-hosted silo or of a cluster-mode deployment. Every JSON line it
/// prints is kept.
/// </summary>
internal sealed class GameServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<JsonObject> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private GameServiceProcess(Process process) => _process = process;

    /// <summary>Start it against <paramref name="gateway"/> and wait until it has caught up and follows live.</summary>
    public static Task<GameServiceProcess> StartAsync(GatewayProcess gateway, string after = "") =>
        StartAsync(
            new Dictionary<string, string>
            {
                ["Orleans:GatewayPort"] = gateway.OrleansGatewayPort.ToString(CultureInfo.InvariantCulture),
                ["Orleans:ClusterId"] = gateway.ClusterId,
            },
            after);

    /// <summary>
    /// Start it with <paramref name="settings"/> (keys as in appsettings, <c>Section:Key</c>) and wait until it has
    /// caught up and follows live.
    /// </summary>
    public static async Task<GameServiceProcess> StartAsync(IReadOnlyDictionary<string, string> settings, string after = "")
    {
        var service = Start(settings, after);
        try
        {
            await service.WaitForAsync(lines => lines.Any(l => l.ContainsKey("ready")), TimeSpan.FromSeconds(60));
        }
        catch
        {
            service.Dispose();
            throw;
        }

        return service;
    }

    /// <summary>Start it with <paramref name="settings"/> and return at once, without waiting for it to follow.</summary>
    public static GameServiceProcess Start(IReadOnlyDictionary<string, string> settings, string after = "")
    {
        var dll = GatewayProcess.BuiltDll(Path.Combine("Samples", "GameService"), "GameService.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["GameService__After"] = after;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var service = new GameServiceProcess(new Process { StartInfo = start });
        service._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                service._lines.Enqueue(JsonNode.Parse(line)!.AsObject());
            }
        };
        service._process.ErrorDataReceived += (_, e) => service._errors.Enqueue(e.Data ?? string.Empty);
        Assert.True(service._process.Start(), "the game service did not start");
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        return service;
    }

    /// <summary>The notification lines printed so far for one player, in order.</summary>
    public IReadOnlyList<JsonObject> NotificationsOf(Guid player) =>
        [.. _lines.Where(l => (string?)l["player_uuid"] == player.ToString("D"))];

    /// <summary>
    /// Wait until at least <paramref name="count"/> notification lines of <paramref name="player"/> have been
    /// printed and return them; fails if they do not come within 30 seconds or the service exits first.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> WaitForNotificationsAsync(Guid player, int count)
    {
        await WaitForAsync(_ => NotificationsOf(player).Count >= count, TimeSpan.FromSeconds(30));
        return NotificationsOf(player);
    }

    /// <summary>
    /// Wait until <paramref name="player"/>'s line <paramref name="name"/> for <paramref name="eventId"/> has been
    /// printed and return every line of the player printed by then; fails if it does not come within 30 seconds
    /// or the service exits first. A count of lines can be reached by lines other than the one a test needs.
    /// </summary>
    public async Task<IReadOnlyList<JsonObject>> WaitForNotificationAsync(Guid player, string? eventId, string name = "entitlementUpdated")
    {
        ArgumentNullException.ThrowIfNull(eventId);
        await WaitForAsync(_ => NotificationsOf(player).Any(l => (string?)l["event_id"] == eventId && (string?)l["name"] == name), TimeSpan.FromSeconds(30));
        return NotificationsOf(player);
    }

    /// <summary>What the service wrote on standard error so far (its logs), one line each.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    /// <summary>The exit code of a process that has ended.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Ask the service to stop, as an orchestrator or Ctrl+C does (SIGTERM), without waiting.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Wait until the service has exited and its output has been read to the end; fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private async Task WaitForAsync(Func<IReadOnlyList<JsonObject>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition([.. _lines]))
        {
            if (_process.HasExited)
            {
                // Let the error reader have the last lines before they are reported.
                _process.WaitForExit();
                Assert.Fail($"the game service exited with code {_process.ExitCode}:\n{string.Join('\n', _errors)}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"the game service did not print what was expected within {timeout}:\n{string.Join('\n', _lines.Select(l => l.ToJsonString()))}\n{string.Join('\n', _errors)}");
            await Task.Delay(20);
        }
    }
}
