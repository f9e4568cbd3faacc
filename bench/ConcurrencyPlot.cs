using ScottPlot;

namespace Entitlements.Bench;

/// <summary>The PNG of BENCHMARKS.md: grant throughput (left axis) and p99 (right axis) against connections, per engine.</summary>
internal static class ConcurrencyPlot
{
    public static void Write(BenchReport report, string path)
    {
        var plot = new Plot();
        var colors = new[] { Colors.Blue, Colors.OrangeRed, Colors.Green, Colors.Purple };
        var index = 0;
        double[] positions = [];
        string[] labels = [];
        foreach (var engine in report.Engines)
        {
            positions = [.. engine.Sweep.Select((_, i) => (double)i)];
            labels = [.. engine.Sweep.Select(s => s.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            var color = colors[index++ % colors.Length];
            var throughput = plot.Add.Scatter(positions, engine.Sweep.Select(s => s.RequestsPerSecond).ToArray());
            throughput.LegendText = $"{engine.Engine} grants/s";
            throughput.Color = color;
            throughput.LineWidth = 2;
            throughput.MarkerSize = 7;
            var p99 = plot.Add.Scatter(positions, engine.Sweep.Select(s => s.P99).ToArray());
            p99.LegendText = $"{engine.Engine} p99 ms";
            p99.Color = color;
            p99.LineWidth = 2;
            p99.MarkerSize = 7;
            p99.LinePattern = LinePattern.Dashed;
            p99.Axes.YAxis = plot.Axes.Right;
        }

        plot.Axes.Bottom.SetTicks(positions, labels);
        plot.Axes.Bottom.Label.Text = "connections (closed loop)";
        plot.Axes.Left.Label.Text = "grants per second (solid)";
        plot.Axes.Right.Label.Text = "p99 latency, ms (dashed)";
        plot.Title(string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"POST entitlement-event grants to {report.Players} distinct players; {Environment.ProcessorCount} cores, load average {report.Machine.LoadAverage:F0}"));
        plot.Axes.AutoScale();
        plot.Axes.Left.Min = 0;
        plot.Axes.Right.Min = 0;
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 560);
    }
}
