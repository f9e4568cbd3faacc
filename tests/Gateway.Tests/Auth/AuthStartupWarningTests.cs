using System.Globalization;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.Hosting;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Entitlements.Tests.Auth;

/// <summary>
/// What a gateway says at start about its auth configuration. The development issuer used to turn on
/// silently whenever no key set was configured, in Production and in cluster mode too.
/// </summary>
public sealed class AuthStartupWarningTests
{
    [Fact]
    public async Task Start_WithoutAKeySet_WarnsOnceThatTheDevelopmentIssuerIsOnNamingItsKeyFile()
    {
        using var data = new TempDirectory();

        var warnings = await StartupWarningsAsync(data, []);

        Assert.Equal([DevelopmentIssuerWarning(Path.Combine(data.Path, DevelopmentIssuer.KeyFileName))], warnings);
    }

    [Fact]
    public async Task Start_WithADevelopmentKeyFileSet_NamesThatFile()
    {
        using var data = new TempDirectory();
        var file = Path.Combine(data.Path, "shared", "cluster-key.json");

        var warnings = await StartupWarningsAsync(data, new() { ["Auth:DevelopmentKeyFile"] = file });

        Assert.Equal([DevelopmentIssuerWarning(file)], warnings);
    }

    [Fact]
    public async Task Start_WithAJwksFileIssuerAndAudience_WarnsOfNothing()
    {
        using var data = new TempDirectory();
        var jwks = Path.Combine(data.Path, "jwks.json");
        await File.WriteAllTextAsync(jwks, """{"keys":[]}""");

        var warnings = await StartupWarningsAsync(data, new() { ["Auth:JwksFile"] = jwks, ["Auth:Issuer"] = TestKeys.Issuer, ["Auth:Audience"] = TestKeys.Audience });

        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData(null, null, "Auth:Issuer and Auth:Audience are")]
    [InlineData(TestKeys.Issuer, null, "Auth:Audience is")]
    [InlineData(null, TestKeys.Audience, "Auth:Issuer is")]
    public async Task Start_WithAJwksFileButNoIssuerOrAudience_WarnsThatTheClaimIsNotChecked(string? issuer, string? audience, string unset)
    {
        using var data = new TempDirectory();
        var jwks = Path.Combine(data.Path, "jwks.json");
        await File.WriteAllTextAsync(jwks, """{"keys":[]}""");

        var warnings = await StartupWarningsAsync(data, new() { ["Auth:JwksFile"] = jwks, ["Auth:Issuer"] = issuer, ["Auth:Audience"] = audience });

        Assert.Equal(
            [(LogLevel.Warning, $"{unset} not set: a token signed by a key of Auth:JwksFile or Auth:JwksUrl is accepted whichever issuer or audience it names, including tokens the same issuer made for other services. Set them to your issuer's iss and to the aud it gives this API")],
            warnings);
    }

    private static (LogLevel, string) DevelopmentIssuerWarning(string keyFile) => (
        LogLevel.Warning,
        $"The development token issuer is on: this gateway signs and accepts tokens made with the key in {keyFile}, and whoever can read that file can make a token with any permission. In production set Auth:JwksUrl (or Auth:JwksFile) to your issuer's keys, with Auth:Issuer and Auth:Audience, which turns it off");

    /// <summary>Start a gateway (Production, the default) with <paramref name="auth"/> added, stop it, and return what it logged (level and message) through <see cref="AuthStartupWarnings"/>.</summary>
    private static async Task<(LogLevel, string)[]> StartupWarningsAsync(TempDirectory data, Dictionary<string, string?> auth)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = data.Path,
            ["Catalog:SeedFile"] = string.Empty,
            ["Orleans:ClusterId"] = Unique.Name("auth-warnings"),
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Error",
            ["Logging:LogLevel:Microsoft"] = "Error",
        };
        foreach (var (key, value) in auth)
        {
            settings[key] = value;
        }

        var log = new LogCapture();
        await using (var app = GatewayApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            log.AddTo(builder.Services);
        }))
        {
            await app.StartAsync();
            await app.StopAsync();
        }

        return [.. log.Entries.Where(entry => entry.Category == typeof(AuthStartupWarnings).FullName).Select(entry => (entry.Level, entry.Message))];
    }
}
