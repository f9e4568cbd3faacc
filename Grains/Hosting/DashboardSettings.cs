namespace Entitlements.Hosting;

/// <summary>Configuration section <c>Dashboard</c>: the Orleans dashboard's silo and web parts.</summary>
public sealed class DashboardSettings
{
    public const string SectionName = "Dashboard";

    /// <summary>The shortest <see cref="CounterUpdateIntervalMs"/>; a shorter one stops the start.</summary>
    public const int MinCounterUpdateIntervalMs = 1000;

    /// <summary>Add the dashboard (its silo part collects grain statistics; the gateway serves it at <c>/dashboard</c>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The live log trace page streams every silo's log to the browser: off unless asked for.</summary>
    public bool LiveTrace { get; set; }

    /// <summary>Milliseconds between the dashboard's counter samples (at least <see cref="MinCounterUpdateIntervalMs"/>).</summary>
    public int CounterUpdateIntervalMs { get; set; } = MinCounterUpdateIntervalMs;
}
