using System.Globalization;
using Entitlements.Gateway.Hosting;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Webhooks;

/// <summary>
/// A gateway with a webhook it must not use refuses to start, and says which key is wrong; so does a
/// cluster-mode gateway given webhooks at all, which only the silos deliver.
/// </summary>
public sealed class WebhookConfigurationTests
{
    [Theory]
    [InlineData("http://hooks.example.com/entitlements", "0123456789abcdef0123456789abcdef", "Notifications:Webhooks:0:Url must use https:// (http:// is accepted for loopback hosts only).")]
    [InlineData("https://hooks.example.com/entitlements", "too-short", "Notifications:Webhooks:0:Secret is required and must have at least 32 characters.")]
    [InlineData("https://hooks.example.com/entitlements", "0123456789abcdef0123456789abcdef", "Notifications:Webhooks:0:Timeout must be at most 00:00:30 (half the replay call's response timeout of 00:01:00; got 30.00:00:00).", "30.00:00:00")]
    public async Task Start_InvalidWebhook_FailsWithTheKeyAndTheRule(string url, string secret, string message, string timeout = "00:00:10")
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = data.Path,
            ["Catalog:SeedFile"] = string.Empty,
            ["Orleans:ClusterId"] = Unique.Name("webhook-config"),
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "None",
            ["Notifications:Webhooks:0:Name"] = "game",
            ["Notifications:Webhooks:0:Url"] = url,
            ["Notifications:Webhooks:0:Secret"] = secret,
            ["Notifications:Webhooks:0:Timeout"] = timeout,
        };
        await using var app = GatewayApp.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal([message], exception.Failures);
    }

    [Fact]
    public void Build_ClusterModeGatewayWithWebhooks_FailsSayingTheSilosDeliverThem()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "Cluster",
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = "Host=127.0.0.1;Port=1;Username=entitlements;Password=unused;Database=entitlements",
            ["Logging:LogLevel:Default"] = "None",
            ["Notifications:Webhooks:0:Name"] = "game",
            ["Notifications:Webhooks:0:Url"] = "https://hooks.example.com/entitlements",
            ["Notifications:Webhooks:0:Secret"] = "0123456789abcdef0123456789abcdef",
        };

        var exception = Assert.Throws<InvalidOperationException>(
            () => GatewayApp.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings)));

        Assert.Equal(
            "Notifications:Webhooks is set on a gateway in cluster mode (Orleans:Mode 'Cluster'), where it would be ignored: webhooks are delivered by the silos, " +
            "so configure them on every silo (the same list on each) and not on the gateway.",
            exception.Message);
    }
}
