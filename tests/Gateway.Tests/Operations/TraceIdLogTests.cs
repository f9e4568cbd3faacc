using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Operations;

/// <summary>With the JSON console formatter and scopes on, a log line written during a request carries that request's trace id.</summary>
[Collection(OperationsGatewayGroup.Name)]
public sealed class TraceIdLogTests(OperationsGateway gateway)
{
    [Fact]
    public async Task Log_RequestWithTraceparent_LinesCarryItsTraceId()
    {
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var parentSpan = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var path = $"/users/v1/platform-user?platform=Steam&platform_user_id={Unique.Name("traced")}";

        var response = await gateway.Operator.SendAsync(HttpMethod.Get, path, configure: r => r.Headers.Add("traceparent", $"00-{traceId}-{parentSpan}-01"));

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        var lines = await LinesWithTraceAsync(traceId, expected: 2);
        Assert.Contains(lines, l => l["Message"]!.GetValue<string>().StartsWith("Request starting HTTP/1.1 GET", StringComparison.Ordinal));
        Assert.Contains(lines, l => l["Message"]!.GetValue<string>().StartsWith("Request finished HTTP/1.1 GET", StringComparison.Ordinal));
        Assert.All(lines, l =>
        {
            Assert.Equal("/users/v1/platform-user", l["State"]!["Path"]!.GetValue<string>());
            var scope = l["Scopes"]!.AsArray().Single(s => s!["TraceId"] is not null)!;
            Assert.Equal(parentSpan, scope["ParentId"]!.GetValue<string>());
            Assert.Matches("^[0-9a-f]{16}$", scope["SpanId"]!.GetValue<string>());
        });
    }

    /// <summary>The JSON log lines of the process whose scopes name <paramref name="traceId"/>, once there are <paramref name="expected"/>.</summary>
    private async Task<List<JsonNode>> LinesWithTraceAsync(string traceId, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var lines = gateway.Output.Split('\n')
                .Where(l => l.StartsWith('{') && l.Contains(traceId, StringComparison.Ordinal))
                .Select(l => JsonNode.Parse(l)!)
                .Where(l => l["Scopes"]?.AsArray().Any(s => s?["TraceId"]?.GetValue<string>() == traceId) == true)
                .ToList();
            if (lines.Count >= expected || DateTime.UtcNow > deadline)
            {
                Assert.True(lines.Count >= expected, $"expected {expected} log lines with trace {traceId}:\n{gateway.Output}");
                return lines;
            }

            await Task.Delay(100);
        }
    }
}
