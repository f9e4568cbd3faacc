using System.Globalization;

namespace Entitlements.Bench;

/// <summary>
/// <c>bench/run.sh --probe grants|pages|newest-pages|push [--engines sqlite] [--seconds 20] [--trace FILE]</c>: one
/// load on one engine for a while, to look at one figure closely. Prints the figure and where the CPU
/// went. With <c>--trace</c>, Linux <c>perf</c> samples the gateway's CPU during the measured period
/// into FILE (run the harness with <c>DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0</c> so that perf can name JIT-compiled
/// methods) and the methods with the most samples are printed, by their own samples and with callees.
/// </summary>
internal static class Probe
{
    public static readonly string[] Scenarios = ["grants", "pages", "pages-json", "newest-pages", "newest-pages-json", "push"];

    /// <summary>What runs beside the measured period: nothing, or a CPU profile of the gateway process.</summary>
    public static Func<int, TimeSpan, Task>? Tracer(string? tracePath, TextWriter output)
    {
        if (tracePath is null)
        {
            return null;
        }

        return async (processId, duration) =>
        {
            var seconds = Math.Max(1, (int)duration.TotalSeconds - 1).ToString(CultureInfo.InvariantCulture);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await ChildProcess.RunToEndAsync(
                        "perf", ["record", "-F", "999", "-g", "-p", processId.ToString(CultureInfo.InvariantCulture), "-o", tracePath, "--", "sleep", seconds]);
                    break;
                }
                catch (System.ComponentModel.Win32Exception exception)
                {
                    throw new InvalidOperationException("--trace needs Linux perf on the PATH (Debian: apt-get install linux-perf)", exception);
                }
                catch (InvalidOperationException exception) when (attempt < 3)
                {
                    // Under load perf record has at times exited at once with 255 and printed nothing
                    // (never under strace, cause unknown); it is started again, at most three times in all.
                    output.WriteLine($"perf record failed ({exception.Message.Trim()}); again");
                }
            }

            foreach (var children in new[] { false, true })
            {
                var report = await ChildProcess.RunToEndAsync(
                    "perf", ["report", "-i", tracePath, "--stdio", "-g", "none", "--percent-limit", "0.4", "--sort", "symbol", children ? "--children" : "--no-children"]);
                output.WriteLine(children ? "== CPU samples with callees" : "== CPU samples, own");
                output.WriteLine(string.Join('\n', report.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Take(70)));
            }
        };
    }
}
