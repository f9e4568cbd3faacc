using Entitlements.Gateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests;

/// <summary>
/// A cluster-mode gateway (an Orleans client) refuses a value out of range at start and names its key, as
/// the embedded one does (<see cref="StartupConfigurationTests"/>). The options are checked before the
/// schema migration or the client connects: no database is needed.
/// </summary>
public sealed class ClusterGatewayConfigurationTests
{
    [Theory]
    [InlineData("Orleans:Messaging:ResponseTimeout", "00:00:00", "Orleans:Messaging:ResponseTimeout must be positive.")]
    [InlineData("Orleans:Messaging:ResponseTimeout", "-00:00:05", "Orleans:Messaging:ResponseTimeout must be positive.")]
    [InlineData("Orleans:Messaging:MaxMessageHeaderSize", "0", "Orleans:Messaging:MaxMessageHeaderSize must be at least 1.")]
    [InlineData("Orleans:Messaging:MaxMessageBodySize", "-1", "Orleans:Messaging:MaxMessageBodySize must be at least 1.")]
    [InlineData("Orleans:Messaging:ClientSenderBuckets", "0", "Orleans:Messaging:ClientSenderBuckets must be at least 1.")]
    [InlineData("Dashboard:CounterUpdateIntervalMs", "999", "Dashboard:CounterUpdateIntervalMs must be at least 1000.")]
    public async Task Start_ValueOutOfRange_FailsWithTheKeyAndTheRule(string key, string value, string message)
    {
        var exception = await FailAsync(key, value);

        Assert.Equal([message], Assert.IsType<OptionsValidationException>(exception).Failures);
    }

    [Theory]
    [InlineData("Orleans:ClusterId", "", "Orleans:ClusterId must not be empty.")]
    [InlineData("Orleans:ServiceId", " ", "Orleans:ServiceId must not be empty.")]
    public async Task Build_EmptyClusterIdentity_FailsWithTheKey(string key, string value, string message)
    {
        var exception = await FailAsync(key, value);

        Assert.Equal(message, Assert.IsType<InvalidOperationException>(exception).Message);
    }

    /// <summary>What stopped the gateway, whether building it or starting it.</summary>
    private static async Task<Exception> FailAsync(string key, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "Cluster",
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=entitlements;Password=unused;Database=entitlements",
            ["Storage:StartupWaitSeconds"] = "0",
            ["Logging:LogLevel:Default"] = "None",
            [key] = value,
        };
        return await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = GatewayApp.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));
            await app.StartAsync();
        });
    }
}
