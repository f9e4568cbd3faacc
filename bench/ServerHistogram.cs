using System.Globalization;
using System.Text.RegularExpressions;

namespace Entitlements.Bench;

/// <summary>
/// The gateway's own view of how long its grants took: the cumulative buckets of ASP.NET Core's
/// <c>http_server_request_duration_seconds</c> for answered grants, read from <c>/metrics</c> before and
/// after a load, so that the difference covers that load alone. It tells the server's part of a latency
/// measured at the client from the part spent in the generator and the kernel.
/// </summary>
internal sealed partial class ServerHistogram
{
    private const string Route = "http_route=\"/inventory/v1/entitlement-event/\"";

    private readonly SortedDictionary<double, long> _cumulative;

    private ServerHistogram(SortedDictionary<double, long> cumulative) => _cumulative = cumulative;

    /// <summary>The grant buckets on <paramref name="client"/>'s gateway now; null when its metrics cannot be read.</summary>
    public static async Task<ServerHistogram?> ReadGrantsAsync(HttpClient client)
    {
        var text = await GatewayHost.GetTextAsync(client, "/metrics");
        if (text is null)
        {
            return null;
        }

        var cumulative = new SortedDictionary<double, long>();
        foreach (Match sample in Bucket().Matches(text))
        {
            var labels = sample.Groups["labels"].Value;
            if (!labels.Contains(Route, StringComparison.Ordinal) || !labels.Contains("http_request_method=\"POST\"", StringComparison.Ordinal)
                || !labels.Contains("http_response_status_code=\"200\"", StringComparison.Ordinal))
            {
                continue;
            }

            var le = sample.Groups["le"].Value;
            var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
            cumulative[bound] = cumulative.GetValueOrDefault(bound) + long.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return new ServerHistogram(cumulative);
    }

    /// <summary>
    /// The upper bound, in milliseconds, of the bucket that holds the <paramref name="percent"/>th percentile
    /// of the grants answered between <paramref name="before"/> and this reading; NaN when none were.
    /// </summary>
    public double PercentileBoundMs(ServerHistogram before, double percent)
    {
        var total = _cumulative.GetValueOrDefault(double.PositiveInfinity) - before._cumulative.GetValueOrDefault(double.PositiveInfinity);
        if (total <= 0)
        {
            return double.NaN;
        }

        foreach (var (bound, count) in _cumulative)
        {
            if (count - before._cumulative.GetValueOrDefault(bound) >= Math.Ceiling(total * percent / 100))
            {
                return bound * 1000;
            }
        }

        return double.PositiveInfinity;
    }

    [GeneratedRegex(@"^http_server_request_duration_seconds_bucket\{(?<labels>[^}]*le=""(?<le>[^""]+)""[^}]*)\} (?<value>[0-9]+)", RegexOptions.Multiline)]
    private static partial Regex Bucket();
}
