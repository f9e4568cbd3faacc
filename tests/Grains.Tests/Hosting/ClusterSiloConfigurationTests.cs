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
    [InlineData("Orleans:Messaging:MaxMessageHeaderSize", "0", "Orleans:Messaging:MaxMessageHeaderSize must be at least 1.")]
    [InlineData("Orleans:Messaging:MaxMessageBodySize", "-1", "Orleans:Messaging:MaxMessageBodySize must be at least 1.")]
    [InlineData("Orleans:Messaging:SystemResponseTimeout", "00:00:00", "Orleans:Messaging:SystemResponseTimeout must be positive.")]
    [InlineData("Orleans:Membership:ProbeTimeout", "00:00:00", "Orleans:Membership:ProbeTimeout must be positive.")]
    [InlineData("Orleans:Membership:MinProbeTimeout", "-00:00:01", "Orleans:Membership:MinProbeTimeout must be positive.")]
    [InlineData("Orleans:Membership:MinProbeTimeout", "00:00:09", "Orleans:Membership:MaxProbeTimeout must be at least Orleans:Membership:MinProbeTimeout.")]
    [InlineData("Orleans:Membership:MaxProbeTimeout", "00:00:00.5", "Orleans:Membership:MaxProbeTimeout must be at least Orleans:Membership:MinProbeTimeout.")]
    [InlineData("Orleans:Membership:NumMissedProbesLimit", "0", "Orleans:Membership:NumMissedProbesLimit must be at least 1.")]
    [InlineData("Orleans:Membership:NumProbedSilos", "0", "Orleans:Membership:NumProbedSilos must be at least 1.")]
    [InlineData("Orleans:Membership:NumVotesForDeathDeclaration", "0", "Orleans:Membership:NumVotesForDeathDeclaration must be at least 1.")]
    [InlineData("Orleans:Membership:DeathVoteExpirationTimeout", "00:00:00", "Orleans:Membership:DeathVoteExpirationTimeout must be positive.")]
    [InlineData("Orleans:Membership:TableRefreshTimeout", "-00:00:10", "Orleans:Membership:TableRefreshTimeout must be positive.")]
    [InlineData("Orleans:Membership:IAmAliveTablePublishTimeout", "00:00:00", "Orleans:Membership:IAmAliveTablePublishTimeout must be positive.")]
    [InlineData("Orleans:Membership:NumMissedTableIAmAliveLimit", "0", "Orleans:Membership:NumMissedTableIAmAliveLimit must be at least 1.")]
    [InlineData("Orleans:Membership:MaxJoinAttemptTime", "00:00:00", "Orleans:Membership:MaxJoinAttemptTime must be positive.")]
    [InlineData("Orleans:Messaging:ResponseTimeout", "30", "Orleans:Messaging:ResponseTimeout must be at most 1.00:00:00 (a bare number is read as days).")]
    [InlineData("Orleans:Messaging:SystemResponseTimeout", "1.00:00:01", "Orleans:Messaging:SystemResponseTimeout must be at most 1.00:00:00 (a bare number is read as days).")]
    [InlineData("Orleans:Membership:ProbeTimeout", "2", "Orleans:Membership:ProbeTimeout must be at most 1.00:00:00 (a bare number is read as days).")]
    [InlineData("Orleans:Membership:MaxProbeTimeout", "60", "Orleans:Membership:MaxProbeTimeout must be at most 1.00:00:00 (a bare number is read as days).")]
    [InlineData("Orleans:Membership:DeathVoteExpirationTimeout", "30", "Orleans:Membership:DeathVoteExpirationTimeout must be at most 1.00:00:00 (a bare number is read as days).")]
    [InlineData("Orleans:Membership:TableRefreshTimeout", "10", "Orleans:Membership:TableRefreshTimeout must be at most 1.00:00:00 (a bare number is read as days).")]
    [InlineData("Orleans:Membership:IAmAliveTablePublishTimeout", "30", "Orleans:Membership:IAmAliveTablePublishTimeout must be at most 1.00:00:00 (a bare number is read as days).")]
    [InlineData("Orleans:Membership:MaxJoinAttemptTime", "5", "Orleans:Membership:MaxJoinAttemptTime must be at most 1.00:00:00 (a bare number is read as days).")]
    [InlineData("Notifications:RelayStreamsPerActivation", "0", "Notifications:RelayStreamsPerActivation must be at least 1.")]
    [InlineData("Dashboard:CounterUpdateIntervalMs", "999", "Dashboard:CounterUpdateIntervalMs must be at least 1000.")]
    [InlineData("Xbox:CollectionsUrl", "xbox-simulator/", "Xbox:CollectionsUrl must be an absolute http:// or https:// URL (got 'xbox-simulator/').")]
    public async Task Start_ValueOutOfRange_FailsWithTheKeyAndTheRule(string key, string value, string message)
    {
        var exception = await StartAsync(new() { [key] = value });

        Assert.Equal([message], exception.Failures);
    }

    [Fact]
    public async Task Start_SiloPortAndGatewayPortTheSame_FailsWithBothKeys()
    {
        var port = FreePorts.Next().ToString(CultureInfo.InvariantCulture);

        var exception = await FailAsync(new() { ["Orleans:SiloPort"] = port, ["Orleans:GatewayPort"] = port });

        Assert.Equal($"Orleans:SiloPort and Orleans:GatewayPort must differ (both are {port}).", Assert.IsType<InvalidOperationException>(exception).Message);
    }

    [Theory]
    [InlineData("Orleans:ClusterId", "", "Orleans:ClusterId must not be empty.")]
    [InlineData("Orleans:ServiceId", " ", "Orleans:ServiceId must not be empty.")]
    [InlineData("Orleans:SiloPort", "0", "Orleans:SiloPort must be from 1 to 65535 (got 0).")]
    [InlineData("Orleans:GatewayPort", "65536", "Orleans:GatewayPort must be from 1 to 65535 (got 65536).")]
    [InlineData("Orleans:GatewayPort", "-1", "Orleans:GatewayPort must be from 1 to 65535 (got -1).")]
    public async Task Build_OrleansIdentityOrPortOutOfRange_FailsWithTheKeyAndTheRule(string key, string value, string message)
    {
        var exception = await FailAsync(new() { [key] = value });

        Assert.Equal(message, Assert.IsType<InvalidOperationException>(exception).Message);
    }

    [Fact]
    public async Task Start_DashboardOffWithTooShortAnInterval_FailsWithTheKeyAndTheRule()
    {
        // Every key is checked at start, whether or not what reads it is on.
        var exception = await StartAsync(new() { ["Dashboard:Enabled"] = "false", ["Dashboard:CounterUpdateIntervalMs"] = "500" });

        Assert.Equal(["Dashboard:CounterUpdateIntervalMs must be at least 1000."], exception.Failures);
    }

    private static async Task<OptionsValidationException> StartAsync(Dictionary<string, string?> overrides) =>
        Assert.IsType<OptionsValidationException>(await FailAsync(overrides));

    /// <summary>What stopped the silo, whether building its host or starting it.</summary>
    private static async Task<Exception> FailAsync(Dictionary<string, string?> overrides)
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
        return await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            builder.UseOrleans(silo => silo
                .UseConfiguredCluster(builder.Configuration)
                .AddEntitlements(builder.Configuration)
                .AddEntitlementsDashboard(builder.Configuration));
            using var host = builder.Build();
            await host.StartAsync();
        });
    }
}
