using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Auth;

/// <summary>
/// With no key set configured, the gateway is its own issuer: a signing key created in the data directory,
/// its public key at <c>/.well-known/jwks.json</c> for anyone, and tokens from <c>Gateway.dll token</c>.
/// </summary>
public sealed class DevelopmentIssuerTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Jwks_WithoutCredentials_ServesThePublicKeyOfTheDataDirectorysSigningKey()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Client.BaseAddress };
        var stored = JsonNode.Parse(await File.ReadAllTextAsync(KeyFile))!;
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(stored["Pkcs8"]!.GetValue<string>()), out _);
        var point = key.ExportParameters(includePrivateParameters: false).Q;

        var response = await anonymous.GetApiAsync("/.well-known/jwks.json");

        JsonAssert.Response(HttpStatusCode.OK, new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "EC",
                ["crv"] = "P-256",
                ["use"] = "sig",
                ["alg"] = "ES256",
                ["kid"] = stored["Kid"]!.GetValue<string>(),
                ["x"] = Base64Url.Encode(point.X),
                ["y"] = Base64Url.Encode(point.Y),
            }),
        }, response);
    }

    /// <summary>
    /// Gateways starting at the same moment on one data directory end up with one key: the first file in
    /// place wins and the others read it. They once shared one temporary file, so one could keep a key
    /// of its own while the file held another's.
    /// </summary>
    [Fact]
    public async Task SigningKey_CreatedByManyAtOnce_IsOneKeyForAll()
    {
        using var directory = new TempDirectory();
        var storage = Options.Create(new StorageOptions { DataDirectory = directory.Path });
        using var start = new Barrier(16);

        var issuers = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                return new DevelopmentIssuer(storage, TimeProvider.System);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)));

        Assert.Single(issuers.Select(i => i.KeyId).Distinct());
        Assert.Equal(issuers[0].KeyId, new DevelopmentIssuer(storage, TimeProvider.System).KeyId);
        Assert.Equal([DevelopmentIssuer.KeyFileName], Directory.GetFiles(directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void SigningKey_CreatedOnFirstStart_IsReadableByItsOwnerOnly()
    {
        Assert.True(File.Exists(KeyFile), $"{KeyFile} was not created");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        }
    }

    [Fact]
    public async Task TokenCommand_OnTheGatewaysDataDirectory_PrintsATokenTheJwksVerifiesAndTheGatewayAccepts()
    {
        var player = Guid.NewGuid();

        var result = await TokenCommandProcess.RunAsync("--permissions", "inv:*", "--player", player.ToString(), "--ttl", "30m", $"--Storage:DataDirectory={fixture.DataDirectory}");

        Assert.True(result.ExitCode == 0, result.ToString());
        var token = result.Output.Trim();
        Assert.DoesNotContain('\n', token);
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.True(await JwksVerifiesAsync(parts), "the served JWKS does not verify the token's signature");
        var claims = Decode(parts[1]);
        Assert.Equal(player.ToString(), claims["sub"]!.GetValue<string>());
        JsonAssert.Equal(new JsonArray("inv:*"), claims["permissions"]);
        Assert.Equal(("access", 1L, DevelopmentIssuer.IssuerName), (claims["token_type"]!.GetValue<string>(), claims["ver"]!.GetValue<long>(), claims["iss"]!.GetValue<string>()));
        Assert.Equal(1800, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());
        using var client = new HttpClient { BaseAddress = fixture.Client.BaseAddress };
        AuthHttp.ProbeAccepted(await client.ProbeAsync(token));
        JsonAssert.Error(HttpStatusCode.NotFound, "player_not_found", $"No player with player_uuid {player}.", await client.SendAuthAsync(HttpMethod.Get, $"/inventory/v1/player/{player}/entitlements", "Bearer " + token));
        AuthHttp.Forbidden(await client.SendAuthAsync(HttpMethod.Get, "/users/v1/platform-user?platform=Steam&platform_user_id=x", "Bearer " + token));
    }

    [Fact]
    public async Task TokenCommand_WithAnInvalidTtl_ExitsWithUsage()
    {
        using var data = new TempDirectory();

        var result = await TokenCommandProcess.RunAsync("--permissions", "inv:*", "--ttl", "1y", $"--Storage:DataDirectory={data.Path}");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Output);
        Assert.StartsWith("--ttl: missing or invalid value. Usage: token", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Up to 10,000,000 units were taken before: <c>--ttl 10000000d</c> made a token good for some 27,000 years.</summary>
    [Theory]
    [InlineData("367d")]
    [InlineData("8785h")]
    [InlineData("10000000d")]
    public async Task TokenCommand_WithATtlOverAYear_ExitsWithTheLimitAndPrintsNoToken(string ttl)
    {
        using var data = new TempDirectory();

        var result = await TokenCommandProcess.RunAsync("--permissions", "inv:*", "--ttl", ttl, $"--Storage:DataDirectory={data.Path}");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Output);
        Assert.StartsWith($"--ttl: at most 366d (got '{ttl}'): a token cannot be revoked before it expires. Usage: token", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data.Path, DevelopmentIssuer.KeyFileName)));
    }

    /// <summary>A token longer-lived than <c>Auth:MaxTokenLifetime</c>, which the gateway would refuse, is not printed (the default <c>--ttl</c> is 1h).</summary>
    [Theory]
    [InlineData("2h", "01:00:00")]
    [InlineData(null, "00:30:00")]
    public async Task TokenCommand_WithATtlOverTheMaxTokenLifetime_ExitsWithTheLimitAndPrintsNoToken(string? ttl, string maxLifetime)
    {
        using var data = new TempDirectory();
        string[] ttlArguments = ttl is null ? [] : ["--ttl", ttl];

        var result = await TokenCommandProcess.RunAsync(["--permissions", "inv:*", .. ttlArguments, $"--Auth:MaxTokenLifetime={maxLifetime}", $"--Storage:DataDirectory={data.Path}"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Output);
        Assert.StartsWith($"--ttl: at most Auth:MaxTokenLifetime, {maxLifetime} (got '{ttl ?? "1h"}'): the gateway refuses a token that lives longer. Usage: token", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data.Path, DevelopmentIssuer.KeyFileName)));
    }

    [Fact]
    public async Task TokenCommand_WithTheLongestTtl_PrintsATokenExpiring366DaysAfterIssue()
    {
        using var data = new TempDirectory();

        var result = await TokenCommandProcess.RunAsync("--permissions", "inv:*", "--ttl", "366d", $"--Storage:DataDirectory={data.Path}");

        Assert.True(result.ExitCode == 0, result.ToString());
        var payload = Decode(result.Output.Trim().Split('.')[1]);
        Assert.Equal(366L * 24 * 3600, payload["exp"]!.GetValue<long>() - payload["iat"]!.GetValue<long>());
    }

    /// <summary>Taken as configuration before, <c>--help</c> printed a token and created a signing key in the data directory.</summary>
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task TokenCommand_WithHelp_PrintsTheUsage_AndCreatesNothing(string help)
    {
        using var data = new TempDirectory();

        var result = await TokenCommandProcess.RunAsync(help, $"--Storage:DataDirectory={data.Path}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("Usage: token [--permissions \"inv:* user:*\"] [--player <uuid>]", result.Output, StringComparison.Ordinal);
        Assert.Equal("", result.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }

    [Fact]
    public async Task Jwks_AsAnotherGatewaysJwksUrl_LetsItAcceptTheDevelopmentIssuersTokens()
    {
        await using var other = new JwksUrlGatewayFixture(new Uri(fixture.Client.BaseAddress!, "/.well-known/jwks.json"));
        await other.InitializeAsync();
        var issuer = new DevelopmentIssuer(Options.Create(new StorageOptions { DataDirectory = fixture.DataDirectory }), TimeProvider.System);
        using var stranger = new TempDirectory();
        var strangerIssuer = new DevelopmentIssuer(Options.Create(new StorageOptions { DataDirectory = stranger.Path }), TimeProvider.System);

        var accepted = await other.Client.ProbeAsync(issuer.Mint([AuthHttp.ProbePermission], player: null, TimeSpan.FromMinutes(5)));
        var unknown = await other.Client.ProbeAsync(strangerIssuer.Mint([AuthHttp.ProbePermission], player: null, TimeSpan.FromMinutes(5)));
        var jwks = await other.Client.SendAuthAsync(HttpMethod.Get, "/.well-known/jwks.json", authorization: null);

        AuthHttp.ProbeAccepted(accepted);
        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, unknown);
        Assert.Equal((HttpStatusCode.NotFound, ""), (jwks.Status, jwks.Body));
    }

    private string KeyFile => Path.Combine(fixture.DataDirectory, DevelopmentIssuer.KeyFileName);

    private static JsonObject Decode(string segment)
    {
        Assert.True(Base64Url.TryDecode(segment, out var bytes));
        return JsonNode.Parse(bytes)!.AsObject();
    }

    /// <summary>Verify the token with the key the JWKS route serves for its <c>kid</c>, independently of the gateway.</summary>
    private async Task<bool> JwksVerifiesAsync(string[] parts)
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Client.BaseAddress };
        var jwks = JsonNode.Parse(await anonymous.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative)))!;
        var kid = Decode(parts[0])["kid"]!.GetValue<string>();
        var jwk = jwks["keys"]!.AsArray().Single(k => k!["kid"]!.GetValue<string>() == kid)!;
        Assert.True(Base64Url.TryDecode(jwk["x"]!.GetValue<string>(), out var x));
        Assert.True(Base64Url.TryDecode(jwk["y"]!.GetValue<string>(), out var y));
        using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
        Assert.True(Base64Url.TryDecode(parts[2], out var signature));
        return key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>A gateway that takes its keys from a JWKS URL (the development issuer is then off).</summary>
    private sealed class JwksUrlGatewayFixture(Uri jwksUrl) : GatewayFixture
    {
        protected override void Configure(IDictionary<string, string?> settings) => settings["Auth:JwksUrl"] = jwksUrl.ToString();
    }
}
