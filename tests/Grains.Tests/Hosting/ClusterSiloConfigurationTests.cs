using System.Globalization;
using Entitlements.Hosting;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Hosting;

/// <summary>
/// A cluster-mode silo, set up as <c>Silo/Program.cs</c> sets it up, refuses a value out of range at start
/// and names its key. The options are checked before anything connects: no database is needed.
/// </summary>
public sealed class ClusterSiloConfigurationTests
{
    [Theory]
    [InlineData("Orleans:Messaging:ResponseTimeout", "00:00:00", "Orleans:Messaging:ResponseTimeout must be positive.")]
    [InlineData("Orleans:Messaging:ResponseTimeout", "-00:00:05", "Orleans:Messaging:ResponseTimeout must be positive.")]
    [InlineData("Dashboard:CounterUpdateIntervalMs", "999", "Dashboard:CounterUpdateIntervalMs must be at least 1000.")]
    [InlineData("Xbox:CollectionsUrl", "xbox-simulator/", "Xbox:CollectionsUrl must be an absolute http:// or https:// URL (got 'xbox-simulator/').")]
    public async Task Start_ValueOutOfRange_FailsWithTheKeyAndTheRule(string key, string value, string message)
    {
        var exception = await StartAsync(new() { [key] = value });

        Assert.Equal([message], exception.Failures);
    }

    [Fact]
    public async Task Start_DashboardOffWithTooShortAnInterval_FailsWithTheKeyAndTheRule()
    {
        // Every key is checked at start, whether or not what reads it is on.
        var exception = await StartAsync(new() { ["Dashboard:Enabled"] = "false", ["Dashboard:CounterUpdateIntervalMs"] = "500" });

        Assert.Equal(["Dashboard:CounterUpdateIntervalMs must be at least 1000."], exception.Failures);
    }

    private static async Task<OptionsValidationException> StartAsync(Dictionary<string, string?> overrides)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "Cluster",
            ["Orleans:ClusterId"] = "silo-config-" + Guid.NewGuid().ToString("N"),
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=entitlements;Password=unused;Database=entitlements",
            ["Storage:StartupWaitSeconds"] = "0",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo
            .UseConfiguredCluster(builder.Configuration)
            .AddEntitlements(builder.Configuration)
            .AddEntitlementsDashboard(builder.Configuration));
        using var host = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }
}
