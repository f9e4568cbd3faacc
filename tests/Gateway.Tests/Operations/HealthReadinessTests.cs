using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Operations;

/// <summary>
/// <c>/health/ready</c> is open to everyone, so what it costs the database and the cluster must not follow the
/// callers' rate: concurrent requests share one run of the checks. Counted from the health check service's own
/// debug log ("Running health check ...", one line per check run) of a gateway process.
/// </summary>
public sealed class HealthReadinessTests
{
    private const int Burst = 20;
    private const string HealthCheckService = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private static readonly Dictionary<string, string> Logging = new(OperationsGateway.JsonLogging)
    {
        [$"Logging:LogLevel:{HealthCheckService}"] = "Debug",
    };

    [Fact]
    public async Task Ready_ConcurrentRequests_ShareRunsOfTheChecksAndTheirReports()
    {
        using var data = new TempDirectory();
        using var gateway = await GatewayProcess.StartAsync(data.Path, settings: Logging);
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        // The connections are opened first (the live route asks nothing), so that the burst is not spread by
        // connection set-up on a loaded machine.
        await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ => client.SendAsync(HttpMethod.Get, "/health/live")));
        var answers = await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ => client.SendAsync(HttpMethod.Get, "/health/ready")));

        Assert.All(answers, a =>
        {
            Assert.True(a.Status == HttpStatusCode.OK, $"expected 200, got {a}");
            Assert.Equal("no-store, no-cache", a.Headers.CacheControl?.ToString());
            Assert.Equal("no-cache", string.Join(",", a.Headers.Pragma));
            Assert.Equal(DateTimeOffset.UnixEpoch, a.ContentHeaders.Expires);
            Assert.Equal("application/json; charset=utf-8", a.ContentHeaders.ContentType?.ToString());
        });
        var lines = await LogLinesAsync(gateway, readyRequests: Burst);
        // One run, normally; a request that a loaded machine holds back past the report's second of reuse starts
        // another. Each run answers several requests, with one body: every check ran with every run.
        var runs = ChecksRun(lines, "database");
        Assert.InRange(runs, 1, Burst / 4);
        Assert.Equal(runs, ChecksRun(lines, "cluster"));
        Assert.InRange(answers.Select(a => a.Body).Distinct(StringComparer.Ordinal).Count(), 1, runs);
    }

    /// <summary>Lines of the check service's "Running health check {name}" for <paramref name="check"/>.</summary>
    private static int ChecksRun(List<JsonNode> lines, string check) =>
        lines.Count(l => l["Category"]!.GetValue<string>() == HealthCheckService
            && l["EventId"]!.GetValue<int>() == 102
            && l["State"]!["HealthCheckName"]!.GetValue<string>() == check);

    /// <summary>
    /// The process's JSON log lines once it has logged <paramref name="readyRequests"/> finished requests to
    /// <c>/health/ready</c>: the console logger writes in order, so every line a request wrote is there by then.
    /// </summary>
    private static async Task<List<JsonNode>> LogLinesAsync(GatewayProcess gateway, int readyRequests)
    {
        List<JsonNode> lines = [];
        await Poll.UntilAsync(
            () =>
            {
                lines = [.. gateway.Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!)];
                return lines.Count(l => l["Category"]!.GetValue<string>() == HostingDiagnostics
                    && l["EventId"]!.GetValue<int>() == 2
                    && l["State"]!["Path"]?.GetValue<string>() == "/health/ready") >= readyRequests;
            },
            TimeSpan.FromSeconds(15),
            () => $"expected {readyRequests} finished requests to /health/ready in the log:\n{gateway.Output}");
        return lines;
    }
}
