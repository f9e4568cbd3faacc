using System.Globalization;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.Hosting;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Auth;

/// <summary>
/// A gateway whose key source can never be read, or whose token lifetime bound would refuse every token,
/// refuses to start and says which key is wrong. It used
/// to start: a relative or non-http(s) <c>Auth:JwksUrl</c> then answered every token 500, a missing
/// <c>Auth:JwksFile</c> answered every token 403.
/// </summary>
public sealed class KeySourceConfigurationTests
{
    [Theory]
    [InlineData("jwks.json")]
    [InlineData("/.well-known/jwks.json")]
    [InlineData("file:///etc/issuer/jwks.json")]
    [InlineData("ftp://issuer.example.com/jwks.json")]
    public async Task Start_JwksUrlNotAbsoluteHttp_FailsWithTheKeyAndTheRule(string url)
    {
        using var data = new TempDirectory();

        var exception = await StartAsync(data, "Auth:JwksUrl", url);

        Assert.Equal([$"Auth:JwksUrl must be an absolute http:// or https:// URL (got '{url}')."], exception.Failures);
    }

    /// <summary>These started before: whoever sits between the gateway and the issuer could serve keys of their own.</summary>
    [Theory]
    [InlineData("http://issuer.example.com/.well-known/jwks.json")]
    [InlineData("http://10.0.0.7:8080/jwks.json")]
    [InlineData("http://localhost.example.com/jwks.json")]
    [InlineData("http://[2001:db8::1]/jwks.json")]
    public async Task Start_JwksUrlPlainHttpToAnotherMachine_FailsWithTheKeyAndTheRule(string url)
    {
        using var data = new TempDirectory();

        var exception = await StartAsync(data, "Auth:JwksUrl", url);

        Assert.Equal([$"Auth:JwksUrl must use https:// unless its host is this machine (localhost, 127.0.0.0/8, ::1): anyone on the path could replace the keys over http:// (got '{url}')."], exception.Failures);
    }

    [Theory]
    [InlineData("http://localhost:16650/jwks.json")]
    [InlineData("http://LOCALHOST/jwks.json")]
    [InlineData("http://127.0.0.1:16650/jwks.json")]
    [InlineData("http://127.8.9.10/jwks.json")]
    [InlineData("http://[::1]:16650/jwks.json")]
    [InlineData("https://issuer.example.com/.well-known/jwks.json")]
    public void Validate_JwksUrlHttpsOrPlainHttpToThisMachine_Succeeds(string url)
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { JwksUrl = new Uri(url) });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public async Task Start_JwksFileMissing_FailsWithTheKeyAndTheFullPath()
    {
        using var data = new TempDirectory();
        var file = Path.Combine(data.Path, "issuer", "jwks.json");

        var exception = await StartAsync(data, "Auth:JwksFile", file);

        Assert.Equal([$"Auth:JwksFile must name an existing file (got '{file}', which is '{file}')."], exception.Failures);
    }

    [Fact]
    public async Task Start_JwksFileMissingByARelativePath_NamesTheFileItLookedFor()
    {
        using var data = new TempDirectory();
        var file = Path.Combine("no-such-folder-" + Guid.NewGuid().ToString("N"), "jwks.json");

        var exception = await StartAsync(data, "Auth:JwksFile", file);

        Assert.Equal([$"Auth:JwksFile must name an existing file (got '{file}', which is '{Path.Combine(Environment.CurrentDirectory, file)}')."], exception.Failures);
    }

    [Theory]
    [InlineData("game.example")]
    [InlineData("https://game.example/play")]
    [InlineData("ftp://game.example")]
    [InlineData("null")]
    public async Task Start_AllowedOriginNotAnOrigin_FailsWithTheKeyAndTheRule(string origin)
    {
        using var data = new TempDirectory();

        var exception = await StartAsync(data, "Auth:AllowedOrigins:0", origin);

        Assert.Equal([$"Auth:AllowedOrigins must hold origins, http:// or https:// with a host and no path (got '{origin}')."], exception.Failures);
    }

    /// <summary>A bound of zero or less would refuse every token: the start stops instead, naming the key.</summary>
    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("-366.00:00:00")]
    public async Task Start_MaxTokenLifetimeZeroOrNegative_FailsWithTheKeyAndTheRule(string lifetime)
    {
        using var data = new TempDirectory();

        var exception = await StartAsync(data, "Auth:MaxTokenLifetime", lifetime);

        Assert.Equal([$"Auth:MaxTokenLifetime must be more than zero (got '{lifetime}'): it is how far ahead a token's exp may lie."], exception.Failures);
    }

    private static async Task<OptionsValidationException> StartAsync(TempDirectory data, string key, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = data.Path,
            ["Catalog:SeedFile"] = string.Empty,
            ["Orleans:ClusterId"] = Unique.Name("auth-config"),
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "None",
            [key] = value,
        };
        await using var app = GatewayApp.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));

        return await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
    }
}
