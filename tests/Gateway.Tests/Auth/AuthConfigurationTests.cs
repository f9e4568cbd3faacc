using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Auth;

/// <summary>
/// <c>Auth:KeyRefreshIntervalSeconds</c> (an hour here) limits how often an unknown <c>kid</c> re-reads the
/// key set, <c>Auth:ClockSkewSeconds</c> (five minutes here) widens the leeway for <c>exp</c> and <c>nbf</c>,
/// and <c>Auth:ValidatedTokenCacheSize</c> = 0 turns the validated-token cache off.
/// </summary>
public sealed class AuthConfigurationTests(TolerantAuthGatewayFixture fixture) : IClassFixture<TolerantAuthGatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly TestKeys _keys = fixture.Keys;

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [Fact]
    public async Task KeySet_KidPublishedAfterAMissWithinTheInterval_StaysUnknown()
    {
        // A known kid: the key set has been read within the last hour (now, or when this gateway first needed it).
        AuthHttp.ProbeAccepted(await _client.ProbeAsync(_keys.Es256(Claims())));
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = "late-" + Guid.NewGuid().ToString("N");
        var token = _keys.Es256(Claims(), keyId: kid, key: next);
        var miss = await _client.ProbeAsync(token);

        _keys.Rotate(next, kid);
        var afterRotation = await _client.ProbeAsync(token);

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, miss);
        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, afterRotation);
        AuthHttp.ProbeAccepted(await _client.ProbeAsync(_keys.Rs256(Claims())));
    }

    [Theory]
    [InlineData("exp", -120)]
    [InlineData("exp", -280)]
    [InlineData("nbf", 120)]
    [InlineData("nbf", 280)]
    public async Task ClockSkew_FiveMinutesConfigured_AcceptsTimesWithinIt(string claim, int secondsFromNow)
    {
        var claims = Claims();
        claims[claim] = Now + secondsFromNow;

        var response = await _client.ProbeAsync(_keys.Es256(claims));

        AuthHttp.ProbeAccepted(response);
    }

    [Fact]
    public async Task ClockSkew_FiveMinutesConfigured_RejectsExpBeyondIt()
    {
        var claims = Claims();
        claims["exp"] = Now - 330;

        var response = await _client.ProbeAsync(_keys.Es256(claims));

        AuthHttp.Rejected("auth_token_expired", AuthHttp.Expired, response);
    }

    [Fact]
    public async Task ClockSkew_FiveMinutesConfigured_RejectsNbfBeyondIt()
    {
        var claims = Claims();
        claims["nbf"] = Now + 400;

        var response = await _client.ProbeAsync(_keys.Es256(claims));

        AuthHttp.Rejected("auth_token_invalid_claim", AuthHttp.InvalidClaim("nbf"), response);
    }

    [Fact]
    public async Task TokenCache_SizeZero_ChecksTheSignatureOnEveryRequest()
    {
        var token = _keys.Es256(Claims());
        using var counters = new AuthCounters(fixture);

        var responses = new[] { await _client.ProbeAsync(token), await _client.ProbeAsync(token), await _client.ProbeAsync(token) };

        Assert.All(responses, AuthHttp.ProbeAccepted);
        Assert.Equal(3, counters.SignatureChecks);
        Assert.Equal(0, counters.CacheHits);
        var cache = fixture.App.Services.GetRequiredService<ValidatedTokenCache>();
        Assert.Equal(0, cache.Capacity);
        Assert.Equal(0, cache.Count);
    }

    private static JsonObject Claims() => TestKeys.Claims([AuthHttp.ProbePermission]);
}
