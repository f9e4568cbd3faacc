using System.Globalization;
using System.Net;
using Entitlements.Gateway.AccelByte;
using Entitlements.Gateway.Diagnostics;
using Entitlements.Gateway.Hosting;
using Entitlements.Hosting;
using Entitlements.Notifications;
using Entitlements.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests;

/// <summary>
/// A value that does not parse, or is out of range, stops the start and names its key. These sections
/// used to be bound only when first read: the gateway started, and then the first grant (after its event
/// was committed), login or event listing that read the value answered 500.
/// </summary>
public sealed class StartupConfigurationTests
{
    [Theory]
    [InlineData("Ledger:SnapshotEvery", "abc", "System.Int32")]
    [InlineData("Ledger:SnapshotEvery", "1e3", "System.Int32")]
    [InlineData("Ledger:SnapshotEvery", "100.5", "System.Int32")]
    [InlineData("PlayFab:SessionTicketLifetimeMinutes", "abc", "System.Int32")]
    [InlineData("EntitlementEvents:PageCacheMegabytes", "abc", "System.Int32")]
    [InlineData("Xbox:ClockSkewSeconds", "abc", "System.Int32")]
    public async Task Start_ValueThatDoesNotParse_FailsWithTheKey(string key, string value, string type)
    {
        using var data = new TempDirectory();

        var exception = await StartAsync(data, key, value);

        Assert.IsType<InvalidOperationException>(exception);
        Assert.Equal($"Failed to convert configuration value '{value}' at '{key}' to type '{type}'.", exception.Message);
    }

    [Theory]
    [InlineData("Ledger:SnapshotEvery", "0", "Ledger:SnapshotEvery must be at least 1.")]
    [InlineData("PlayFab:SessionTicketLifetimeMinutes", "0", "PlayFab:SessionTicketLifetimeMinutes must be at least 1.")]
    [InlineData("PlayFab:LoginsPerSecondPerAddress", "-1", "PlayFab:LoginsPerSecondPerAddress must be a finite number, not negative (0 turns the limit off).")]
    [InlineData("PlayFab:LoginsPerSecondPerAddress", "Infinity", "PlayFab:LoginsPerSecondPerAddress must be a finite number, not negative (0 turns the limit off).")]
    [InlineData("PlayFab:LoginBurstPerAddress", "0", "PlayFab:LoginBurstPerAddress must be at least 1.")]
    [InlineData("PlayFab:ConsumesPerSecondPerPlayer", "-1", "PlayFab:ConsumesPerSecondPerPlayer must be a finite number, not negative (0 turns the limit off).")]
    [InlineData("PlayFab:ConsumesPerSecondPerPlayer", "NaN", "PlayFab:ConsumesPerSecondPerPlayer must be a finite number, not negative (0 turns the limit off).")]
    [InlineData("PlayFab:ConsumeBurstPerPlayer", "0", "PlayFab:ConsumeBurstPerPlayer must be at least 1.")]
    [InlineData("EntitlementEvents:PageCacheMegabytes", "-1", "EntitlementEvents:PageCacheMegabytes must not be negative (0 turns the cache off).")]
    [InlineData("Xbox:ClockSkewSeconds", "-1", "Xbox:ClockSkewSeconds must not be negative.")]
    [InlineData("Xbox:AllowedSandboxes", "RETAIL", "Xbox:AllowedSandboxes is a list: give each item its own numbered key (Xbox:AllowedSandboxes:0, Xbox:AllowedSandboxes:1, ...; in the environment Xbox__AllowedSandboxes__0, ...), not one value.")]
    [InlineData("Auth:AllowedOrigins", "https://game.example", "Auth:AllowedOrigins is a list: give each item its own numbered key (Auth:AllowedOrigins:0, Auth:AllowedOrigins:1, ...; in the environment Auth__AllowedOrigins__0, ...), not one value.")]
    [InlineData("Auth:Issuer", "", "Auth:Issuer must not be empty (leave it unset to accept any issuer).")]
    [InlineData("Auth:Audience", "", "Auth:Audience must not be empty (leave it unset to accept any audience).")]
    [InlineData("Xbox:MaxAttempts", "0", "Xbox:MaxAttempts must be at least 1.")]
    [InlineData("Xbox:PageSize", "0", "Xbox:PageSize must be at least 1.")]
    [InlineData("Auth:ClockSkewSeconds", "-5", "Auth:ClockSkewSeconds must not be negative.")]
    [InlineData("Auth:KeySetMaxAgeSeconds", "0", "Auth:KeySetMaxAgeSeconds must be at least 1 (a removed key is accepted until the key set is read again).")]
    [InlineData("Auth:ValidatedTokenCacheSize", "-1", "Auth:ValidatedTokenCacheSize must not be negative (0 turns the cache off).")]
    [InlineData("Notifications:Push:BufferSize", "0", "Notifications:Push:BufferSize must be at least 1.")]
    [InlineData("Notifications:Push:HeartbeatSeconds", "0", "Notifications:Push:HeartbeatSeconds must be from 1 to 86400.")]
    [InlineData("Notifications:Push:HeartbeatSeconds", "5000000", "Notifications:Push:HeartbeatSeconds must be from 1 to 86400.")]
    [InlineData("Notifications:Push:SendTimeoutSeconds", "0", "Notifications:Push:SendTimeoutSeconds must be from 1 to 86400.")]
    [InlineData("Notifications:Push:SendTimeoutSeconds", "86401", "Notifications:Push:SendTimeoutSeconds must be from 1 to 86400.")]
    [InlineData("Notifications:Push:PingTimeoutSeconds", "0", "Notifications:Push:PingTimeoutSeconds must be from 1 to 86400.")]
    [InlineData("Notifications:Push:PingTimeoutSeconds", "86401", "Notifications:Push:PingTimeoutSeconds must be from 1 to 86400.")]
    [InlineData("Notifications:Push:MaxConnectionsPerPlayer", "0", "Notifications:Push:MaxConnectionsPerPlayer must be at least 1.")]
    [InlineData("Notifications:BatchSize", "0", "Notifications:BatchSize must be at least 1.")]
    [InlineData("Notifications:PollInterval", "00:00:00", "Notifications:PollInterval must be more than 00:00:00 and at most 1.00:00:00.")]
    [InlineData("Notifications:PollInterval", "60", "Notifications:PollInterval must be more than 00:00:00 and at most 1.00:00:00.")]
    [InlineData("Notifications:StreamPollInterval", "00:00:00", "Notifications:StreamPollInterval must be more than 00:00:00 and at most 1.00:00:00.")]
    [InlineData("Notifications:StreamPollInterval", "2.00:00:00", "Notifications:StreamPollInterval must be more than 00:00:00 and at most 1.00:00:00.")]
    [InlineData("Notifications:StreamInactivityPeriod", "00:00:00", "Notifications:StreamInactivityPeriod must be more than 00:00:00 and at most 1.00:00:00.")]
    [InlineData("Notifications:StreamInactivityPeriod", "60", "Notifications:StreamInactivityPeriod must be more than 00:00:00 and at most 1.00:00:00.")]
    [InlineData("Notifications:KeepAliveInterval", "-00:00:01", "Notifications:KeepAliveInterval must be from 00:00:00 (off) to 1.00:00:00.")]
    [InlineData("Notifications:KeepAliveInterval", "60", "Notifications:KeepAliveInterval must be from 00:00:00 (off) to 1.00:00:00.")]
    [InlineData("Storage:StartupRetrySeconds", "0", "Storage:StartupRetrySeconds must be at least 1.")]
    [InlineData("Storage:StartupWaitSeconds", "-1", "Storage:StartupWaitSeconds must not be negative (0 stops at the first failure).")]
    [InlineData("Storage:BackupInterval", "00:00:00.500", "Storage:BackupInterval must be 0 (no scheduled backups) or from 00:00:01 to 30.00:00:00.")]
    [InlineData("Storage:BackupInterval", "-00:01:00", "Storage:BackupInterval must be 0 (no scheduled backups) or from 00:00:01 to 30.00:00:00.")]
    [InlineData("Storage:BackupInterval", "60.00:00:00", "Storage:BackupInterval must be 0 (no scheduled backups) or from 00:00:01 to 30.00:00:00.")]
    [InlineData("Storage:BackupsKept", "-1", "Storage:BackupsKept must not be negative (0 keeps every backup).")]
    [InlineData("Xbox:CollectionsUrl", "xbox-simulator/", "Xbox:CollectionsUrl must be an absolute http:// or https:// URL (got 'xbox-simulator/').")]
    [InlineData("Xbox:CollectionsUrl", "xbox-simulator:5090", "Xbox:CollectionsUrl must be an absolute http:// or https:// URL (got 'xbox-simulator:5090').")]
    [InlineData("Orleans:Messaging:ResponseTimeout", "00:00:00", "Orleans:Messaging:ResponseTimeout must be positive.")]
    [InlineData("Orleans:Messaging:ResponseTimeout", "-00:00:05", "Orleans:Messaging:ResponseTimeout must be positive.")]
    [InlineData("Orleans:Messaging:MaxMessageHeaderSize", "0", "Orleans:Messaging:MaxMessageHeaderSize must be at least 1.")]
    [InlineData("Orleans:Messaging:MaxMessageBodySize", "-1", "Orleans:Messaging:MaxMessageBodySize must be at least 1.")]
    [InlineData("Orleans:Messaging:ResponseTimeout", "30", "Orleans:Messaging:ResponseTimeout must be at most 1.00:00:00 (a bare number is read as days).")]
    [InlineData("Orleans:Messaging:SystemResponseTimeout", "00:00:00", "Orleans:Messaging:SystemResponseTimeout must be positive.")]
    [InlineData("Dashboard:CounterUpdateIntervalMs", "999", "Dashboard:CounterUpdateIntervalMs must be at least 1000.")]
    [InlineData("Dashboard:CounterUpdateIntervalMs", "-1", "Dashboard:CounterUpdateIntervalMs must be at least 1000.")]
    public async Task Start_ValueOutOfRange_FailsWithTheKeyAndTheRule(string key, string value, string message)
    {
        using var data = new TempDirectory();

        var exception = await StartAsync(data, key, value);

        Assert.Equal([message], Assert.IsType<OptionsValidationException>(exception).Failures);
    }

    [Theory]
    [InlineData("Orleans:ClusterId", "", "Orleans:ClusterId must not be empty.")]
    [InlineData("Orleans:ServiceId", " ", "Orleans:ServiceId must not be empty.")]
    [InlineData("Orleans:SiloPort", "0", "Orleans:SiloPort must be from 1 to 65535 (got 0).")]
    [InlineData("Orleans:GatewayPort", "65536", "Orleans:GatewayPort must be from 1 to 65535 (got 65536).")]
    [InlineData("Orleans:GatewayPort", "-1", "Orleans:GatewayPort must be from 1 to 65535 (got -1).")]
    [InlineData("Telemetry:OtlpEndpoint", "collector:4317", "Telemetry:OtlpEndpoint must be an absolute http:// or https:// URL (got 'collector:4317').")]
    [InlineData("Telemetry:OtlpEndpoint", "collector/", "Telemetry:OtlpEndpoint must be an absolute http:// or https:// URL (got 'collector/').")]
    public async Task Build_OrleansIdentityPortOrOtlpEndpointOutOfRange_FailsWithTheKeyAndTheRule(string key, string value, string message)
    {
        using var data = new TempDirectory();

        var exception = await StartAsync(data, key, value);

        Assert.Equal(message, Assert.IsType<InvalidOperationException>(exception).Message);
    }

    [Theory]
    [InlineData(null, "game")]
    [InlineData("studio", "studio")]
    public async Task Build_NotificationNamespace_IsAccelBytesNamespace(string? accelByteKey, string expected)
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["Storage:DataDirectory"] = data.Path };
        if (accelByteKey is not null)
        {
            settings["AccelByte:Namespace"] = accelByteKey;
        }

        await using var app = GatewayApp.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));
        using var silo = StandaloneSilo(settings);

        Assert.Equal(expected, app.Services.GetRequiredService<IOptions<NotificationOptions>>().Value.Namespace);
        Assert.Equal(expected, app.Services.GetRequiredService<IOptions<AccelByteOptions>>().Value.Namespace);
        Assert.Equal(expected, silo.Services.GetRequiredService<IOptions<NotificationOptions>>().Value.Namespace);
    }

    [Fact]
    public void Build_NotificationsNamespaceKey_IsRefusedOnTheSilo()
    {
        // Once read by a standalone silo (whose settings have no AccelByte section), so that its notifications
        // could name another namespace than the gateways' listing; now refused rather than silently ignored.
        using var silo = StandaloneSilo(new Dictionary<string, string?> { ["Notifications:Namespace"] = "other" });

        var exception = Assert.Throws<OptionsValidationException>(() => silo.Services.GetRequiredService<IOptions<NotificationOptions>>().Value);

        Assert.Equal(["Notifications:Namespace is not read: set AccelByte:Namespace, the same on silos and gateways."], exception.Failures);
    }

    /// <summary>The standalone silo's host, as Silo/Program.cs builds it, without its appsettings.json; built, not started.</summary>
    private static IHost StandaloneSilo(IDictionary<string, string?> settings)
    {
        var silo = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        silo.Configuration.AddInMemoryCollection(settings);
        silo.UseOrleans(orleans => orleans.UseConfiguredCluster(silo.Configuration).AddEntitlements(silo.Configuration));
        return silo.Build();
    }

    /// <summary>
    /// <c>ASPNETCORE_HTTP_PORTS</c> (the <c>http_ports</c> key; Microsoft's ASP.NET images set it to 8080) is where
    /// the gateway listens when no URL is given. The documented default used to be applied over it: the
    /// gateway listened on its own loopback at 5080, out of reach from outside a container.
    /// </summary>
    [Fact]
    public async Task Start_HttpPortsAndNoUrls_ListensOnThosePorts()
    {
        using var data = new TempDirectory();
        var port = FreePorts.Next();
        var settings = Settings(data, WebHostDefaults.HttpPortsKey, port.ToString(CultureInfo.InvariantCulture));
        await using var app = GatewayApp.Build([], builder => builder.Configuration.AddInMemoryCollection(settings));
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}{HealthEndpoints.LivePath}"));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <summary>What stopped the gateway, whether building it or starting it.</summary>
    private static async Task<Exception> StartAsync(TempDirectory data, string key, string value)
    {
        var settings = Settings(data, key, value);
        return await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = GatewayApp.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));
            await app.StartAsync();
        });
    }

    /// <summary>A gateway of its own (data directory, cluster, ports, no seed file, no logs), with <paramref name="key"/> set.</summary>
    private static Dictionary<string, string?> Settings(TempDirectory data, string key, string value) => new()
    {
        ["Storage:DataDirectory"] = data.Path,
        ["Catalog:SeedFile"] = string.Empty,
        ["Orleans:ClusterId"] = Unique.Name("startup-config"),
        ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        ["Logging:LogLevel:Default"] = "None",
        [key] = value,
    };
}
