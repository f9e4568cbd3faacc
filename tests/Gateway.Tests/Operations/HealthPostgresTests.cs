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
        using var gateway = await StartGatewayAsync(data, connectionString);
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        var before = await client.SendAsync(HttpMethod.Get, "/health/ready");
        await postgres.DropDatabaseAsync(connectionString);
        // The report before may still answer for its second; the next one runs the checks again.
        var after = await ReadyUntilAsync(client, r => r.Status == HttpStatusCode.ServiceUnavailable);
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

    /// <summary>
    /// A database that answers but takes no writes (a standby after a fail-over, or sessions that start
    /// read-only) is not ready: every grant would answer 503. Ready again once it takes writes.
    /// </summary>
    [Fact]
    public async Task Ready_DatabaseReadOnly_Returns503UntilItTakesWritesAgain()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        using var data = new TempDirectory();
        using var gateway = await StartGatewayAsync(data, connectionString);
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var before = await client.SendAsync(HttpMethod.Get, "/health/ready");
        Assert.True(before.Status == HttpStatusCode.OK, $"expected 200 before, got {before}");

        await postgres.SetReadOnlyAsync(connectionString, readOnly: true);
        try
        {
            // The health check's pooled session was ended with the others: the first answer may be "does not answer".
            var readOnly = await ReadyUntilAsync(client, r => r.Status == HttpStatusCode.ServiceUnavailable
                && r.BodyObject["checks"]!["database"]!["description"]!.GetValue<string>() == "PostgreSql is read-only.");
            Assert.Equal("Unhealthy", readOnly.BodyObject["checks"]!["database"]!["status"]!.GetValue<string>());
            Assert.Equal("Healthy", readOnly.BodyObject["checks"]!["cluster"]!["status"]!.GetValue<string>());
        }
        finally
        {
            await postgres.SetReadOnlyAsync(connectionString, readOnly: false);
        }

        var after = await ReadyUntilAsync(client, r => r.Status == HttpStatusCode.OK);
        Assert.Equal("Healthy", after.BodyObject["checks"]!["database"]!["status"]!.GetValue<string>());
    }

    private static Task<GatewayProcess> StartGatewayAsync(TempDirectory data, string connectionString) =>
        GatewayProcess.StartAsync(data.Path, settings: new Dictionary<string, string>
        {
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = connectionString,
        });

    /// <summary>Ask <c>/health/ready</c> until <paramref name="done"/> holds, for at most 20 s; the last answer.</summary>
    private static async Task<ApiResponse> ReadyUntilAsync(HttpClient client, Func<ApiResponse, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (true)
        {
            var response = await client.SendAsync(HttpMethod.Get, "/health/ready");
            if (done(response))
            {
                return response;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"/health/ready kept answering {response}");
            await Task.Delay(200);
        }
    }
}
