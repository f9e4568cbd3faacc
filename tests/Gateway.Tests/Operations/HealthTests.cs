using System.Net;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Operations;

/// <summary><c>/health/live</c> and <c>/health/ready</c> of a running embedded gateway: open to everyone, JSON.</summary>
[Collection(OperationsGatewayGroup.Name)]
public sealed class HealthTests(OperationsGateway gateway)
{
    [Fact]
    public async Task Live_NoToken_Returns200WithNoChecks()
    {
        using var client = gateway.Client();

        var live = await client.SendAsync(HttpMethod.Get, "/health/live");

        Assert.True(live.Status == HttpStatusCode.OK, $"expected 200, got {live}");
        JsonAssert.Equal(new System.Text.Json.Nodes.JsonObject { ["status"] = "Healthy", ["checks"] = new System.Text.Json.Nodes.JsonObject() }, live.Json);
    }

    [Fact]
    public async Task Ready_NoToken_Returns200WithTheDatabaseAndTheCluster()
    {
        using var client = gateway.Client();

        var ready = await client.SendAsync(HttpMethod.Get, "/health/ready");

        Assert.True(ready.Status == HttpStatusCode.OK, $"expected 200, got {ready}");
        var body = ready.BodyObject;
        Assert.Equal("Healthy", body["status"]!.GetValue<string>());
        var checks = body["checks"]!.AsObject();
        Assert.Equal(["cluster", "database"], checks.Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal("Healthy", checks["database"]!["status"]!.GetValue<string>());
        Assert.Equal("Sqlite", checks["database"]!["data"]!["engine"]!.GetValue<string>());
        Assert.Equal(10, checks["database"]!["data"]!["schemaVersion"]!.GetValue<long>());
        Assert.Equal("multi-thread", checks["database"]!["data"]!["threading"]!.GetValue<string>());
        Assert.Equal("Healthy", checks["cluster"]!["status"]!.GetValue<string>());
        Assert.Equal(1, checks["cluster"]!["data"]!["activeSilos"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("POST", "/health/live")]
    [InlineData("DELETE", "/health/ready")]
    public async Task Health_OtherMethods_Return405(string method, string path)
    {
        using var client = gateway.Client();

        var response = await client.SendAsync(new HttpMethod(method), path);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.Status);
    }
}
