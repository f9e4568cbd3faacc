using System.Net;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Postgres;

namespace Entitlements.Tests.Operations;

/// <summary>
/// A gateway on PostgreSQL: ready while its database answers; when the database goes away under it
/// (dropped, every session closed) ready answers 503 naming the database, while live stays 200.
/// </summary>
public sealed class HealthPostgresTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Ready_DatabaseGone_Returns503WhileLiveStays200()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var data = new TempDirectory();
        using var gateway = await GatewayProcess.StartAsync(data.Path, settings: new Dictionary<string, string>
        {
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = connectionString,
        });
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var before = await client.SendAsync(HttpMethod.Get, "/health/ready");
        await postgres.DropDatabaseAsync(connectionString);
        var after = await client.SendAsync(HttpMethod.Get, "/health/ready");
        var live = await client.SendAsync(HttpMethod.Get, "/health/live");

        Assert.True(before.Status == HttpStatusCode.OK, $"expected 200 before, got {before}");
        Assert.Equal("PostgreSql", before.BodyObject["checks"]!["database"]!["data"]!["engine"]!.GetValue<string>());
        Assert.True(after.Status == HttpStatusCode.ServiceUnavailable, $"expected 503 after, got {after}");
        var body = after.BodyObject;
        Assert.Equal("Unhealthy", body["status"]!.GetValue<string>());
        Assert.Equal("Unhealthy", body["checks"]!["database"]!["status"]!.GetValue<string>());
        Assert.Equal("PostgreSql does not answer.", body["checks"]!["database"]!["description"]!.GetValue<string>());
        Assert.Equal("Healthy", body["checks"]!["cluster"]!["status"]!.GetValue<string>());
        Assert.True(live.Status == HttpStatusCode.OK, $"expected live 200, got {live}");
    }
}
