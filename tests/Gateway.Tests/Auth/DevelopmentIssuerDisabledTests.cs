using System.Net;
using Entitlements.Gateway.Auth;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Auth;

/// <summary>With <c>Auth:JwksFile</c> configured the development issuer is off: no key, no JWKS route, no <c>token</c> command.</summary>
public sealed class DevelopmentIssuerDisabledTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    [Fact]
    public async Task Jwks_WithJwksFileConfigured_IsNotARoute()
    {
        var anonymous = await fixture.Client.SendAuthAsync(HttpMethod.Get, "/.well-known/jwks.json", authorization: null);
        var withToken = await fixture.Operator.SendAuthAsync(HttpMethod.Get, "/.well-known/jwks.json", authorization: null);

        Assert.Equal((HttpStatusCode.NotFound, ""), (anonymous.Status, anonymous.Body));
        Assert.Equal((HttpStatusCode.NotFound, ""), (withToken.Status, withToken.Body));
    }

    [Fact]
    public void DataDirectory_WithJwksFileConfigured_HoldsNoDevelopmentSigningKey()
    {
        Assert.False(File.Exists(Path.Combine(fixture.DataDirectory, DevelopmentIssuer.KeyFileName)));
    }

    [Fact]
    public async Task Token_FromADevelopmentIssuer_Returns403InvalidKeyId()
    {
        using var elsewhere = new TempDirectory();
        var issuer = new DevelopmentIssuer(Options.Create(new StorageOptions { DataDirectory = elsewhere.Path }), TimeProvider.System);

        var response = await fixture.Client.ProbeAsync(issuer.Mint(["inv:*"], player: null, TimeSpan.FromMinutes(5)));

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, response);
    }

    [Fact]
    public async Task TokenCommand_WithJwksFileConfigured_ExitsNonZeroAndPrintsNoToken()
    {
        using var data = new TempDirectory();

        var result = await TokenCommandProcess.RunAsync("--permissions", "inv:*", $"--Auth:JwksFile={fixture.Keys.JwksPath}", $"--Storage:DataDirectory={data.Path}");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.Output);
        Assert.Equal(
            "The development issuer is disabled in this configuration (Auth:JwksFile or Auth:JwksUrl is set): get tokens from your issuer.",
            result.Error.Trim());
        Assert.False(File.Exists(Path.Combine(data.Path, DevelopmentIssuer.KeyFileName)));
    }
}
