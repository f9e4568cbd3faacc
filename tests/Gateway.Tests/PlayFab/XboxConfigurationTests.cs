using System.Globalization;
using Entitlements.Gateway.Hosting;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.PlayFab;

/// <summary>A gateway whose Xbox consume could outlast half the cluster's response timeout refuses to start.</summary>
public sealed class XboxConfigurationTests
{
    [Fact]
    public async Task Start_ConsumeLongerThanHalfTheClusterResponseTimeout_FailsWithTheRule()
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = data.Path,
            ["Catalog:SeedFile"] = string.Empty,
            ["Orleans:ClusterId"] = Unique.Name("xbox-config"),
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "None",
            ["Orleans:Messaging:ResponseTimeout"] = "00:00:10",
            ["Xbox:CollectionsUrl"] = "http://127.0.0.1:9/",
        };
        await using var app = GatewayApp.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));

        // The defaults: a 6 s budget and 3 s attempts, 9 s in all, where a 10 s timeout allows 5 s.
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal(
            ["Xbox:ConsumeBudgetMilliseconds plus Xbox:TimeoutMilliseconds must be at most 5000 (half of Orleans:Messaging:ResponseTimeout, 00:00:10): a grain being deactivated holds the player's other calls until its running consumes end."],
            exception.Failures);
    }
}
