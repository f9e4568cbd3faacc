using System.Globalization;

namespace Entitlements.Bench;

/// <summary>
/// Where the CPU went during a scenario, from <c>/proc</c>: the machine's busy and I/O-wait shares and
/// the cores a process (the gateway) used. A poor man's profile that says whether a figure is bound by
/// CPU or by waiting for the disk.
/// </summary>
internal sealed class CpuSampler
{
    private readonly long[] _machineStart;
    private readonly long _processStart;
    private readonly int? _processId;
    private readonly DateTime _started = DateTime.UtcNow;

    private CpuSampler(int? processId)
    {
        _processId = processId;
        _machineStart = MachineTicks();
        _processStart = ProcessTicks(processId);
    }

    public static CpuSampler Start(int? processId = null) => new(processId);

    public CpuUse Stop()
    {
        var machine = MachineTicks();
        var delta = machine.Zip(_machineStart, (a, b) => a - b).ToArray();
        var total = Math.Max(1, delta.Sum());
        // user nice system idle iowait irq softirq steal
        var idle = delta.Length > 3 ? delta[3] : 0;
        var iowait = delta.Length > 4 ? delta[4] : 0;
        var seconds = Math.Max(0.001, (DateTime.UtcNow - _started).TotalSeconds);
        var processCores = (ProcessTicks(_processId) - _processStart) / 100.0 / seconds;
        return new CpuUse(100.0 * (total - idle - iowait) / total, 100.0 * iowait / total, processCores, LoadAverage(), ResidentMegabytes(_processId));
    }

    /// <summary>The process's resident memory now (VmRSS), in MB; NaN when there is no process to read.</summary>
    private static double ResidentMegabytes(int? processId)
    {
        if (processId is null)
        {
            return double.NaN;
        }

        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>The 1-minute load average.</summary>
    public static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    private static long[] MachineTicks()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            return [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture))];
        }
        catch (IOException)
        {
            return new long[8];
        }
    }

    private static long ProcessTicks(int? processId)
    {
        if (processId is null)
        {
            return 0;
        }

        try
        {
            // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th field, stime the 15th.
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}

/// <summary>Machine CPU busy and I/O wait (percent of all cores), cores the sampled process used, the load average and the process's resident memory at the end.</summary>
internal sealed record CpuUse(double MachineBusyPercent, double IoWaitPercent, double ProcessCores, double LoadAverage, double ResidentMegabytes)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"machine CPU {MachineBusyPercent:F0}% busy, {IoWaitPercent:F0}% I/O wait; gateway {ProcessCores:F2} cores, {ResidentMegabytes:F0} MB resident; load {LoadAverage:F1}");
}
