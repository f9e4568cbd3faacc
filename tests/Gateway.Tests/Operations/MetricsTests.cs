using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Entitlements.Diagnostics;
using Entitlements.Tests.Auth;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Operations;

/// <summary><c>/metrics</c>: Prometheus text behind <c>ops:metrics</c>, with the project's and Orleans' instruments.</summary>
[Collection(OperationsGatewayGroup.Name)]
public sealed partial class MetricsTests(OperationsGateway gateway)
{
    [Fact]
    public async Task Metrics_NoToken_Returns403NotJwt()
    {
        using var client = gateway.Client();

        AuthHttp.Rejected("auth_not_jwt", AuthHttp.NotJwt, await client.SendAsync(HttpMethod.Get, "/metrics"));
    }

    [Fact]
    public async Task Metrics_TokenWithoutOpsMetrics_Returns403InsufficientPermissions()
    {
        using var client = gateway.Client(gateway.Token("inv:*", "user:*", "ops:dashboard"));

        AuthHttp.Forbidden(await client.SendAsync(HttpMethod.Get, "/metrics"));
    }

    [Fact]
    public async Task Metrics_AfterGrants_CountsEachGrantAndEachPublishedNotification()
    {
        const int Grants = 3;
        var player = await gateway.Operator.CreatePlayerAsync();
        for (var i = 0; i < Grants; i++)
        {
            await gateway.Operator.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        }

        using var scraper = gateway.Client(gateway.Token("ops:metrics"));
        var text = await ScrapeUntilAsync(scraper, t => Value(t, "entitlements_notification_lag_seconds_count") >= Grants);

        Assert.Equal(Grants, Value(text, "entitlements_grant_duration_seconds_count", "outcome=\"recorded\""));
        Assert.True(Value(text, "entitlements_grant_duration_seconds_sum", "outcome=\"recorded\"") > 0);
        Assert.Equal(Grants, Value(text, "entitlements_notification_lag_seconds_count"));
        Assert.Contains("# TYPE entitlements_grant_duration_seconds histogram", text, StringComparison.Ordinal);
        // Both histograms are in seconds, with buckets from half a millisecond up (not the default ones, made for milliseconds).
        double[] buckets = [.. GrainMetrics.SecondsBuckets, double.PositiveInfinity];
        Assert.Equal(buckets, Buckets(text, "entitlements_grant_duration_seconds_bucket", "outcome=\"recorded\""));
        Assert.Equal(buckets, Buckets(text, "entitlements_notification_lag_seconds_bucket"));
        Assert.Equal(Grants, Value(text, "entitlements_grant_duration_seconds_bucket", "outcome=\"recorded\"", "le=\"10\""));
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Equal(Grants, Value(text, "http_server_request_duration_seconds_count", "http_request_method=\"POST\"", "http_route=\"/inventory/v1/entitlement-event/\""));
        Assert.True(Value(text, "orleans_catalog_activations") >= 1, "orleans_catalog_activations counts the player's grain");
    }

    private static async Task<string> ScrapeUntilAsync(HttpClient scraper, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await scraper.SendAsync(HttpMethod.Get, "/metrics");
            Assert.True(response.Status == HttpStatusCode.OK, $"expected 200, got {response}");
            Assert.Equal("text/plain", response.ContentHeaders.ContentType?.MediaType);
            if (done(response.Body) || DateTime.UtcNow > deadline)
            {
                return response.Body;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The sum of the samples of <paramref name="name"/> whose labels contain all of <paramref name="labels"/>; 0 when there are none.</summary>
    private static double Value(string text, string name, params string[] labels) =>
        Sample().Matches(text)
            .Where(m => m.Groups["name"].Value == name && labels.All(l => m.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    /// <summary>The <c>le</c> bounds of the histogram buckets <paramref name="name"/> whose labels contain all of <paramref name="labels"/>, in the order given.</summary>
    private static double[] Buckets(string text, string name, params string[] labels) =>
        [.. Sample().Matches(text)
            .Where(m => m.Groups["name"].Value == name && labels.All(l => m.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
            .Select(m => Bound().Match(m.Groups["labels"].Value).Groups["le"].Value)
            .Select(le => le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"le=""(?<le>[^""]*)""")]
    private static partial Regex Bound();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
