using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;

namespace Entitlements.Tests.Auth;

/// <summary>
/// The key set is re-read when a token names an unknown <c>kid</c> (here with no rate limit,
/// <c>Auth:KeyRefreshIntervalSeconds</c> = 0): rotated keys are accepted without a restart, and a key set
/// that is broken, wholly or in one key, never turns a request into a 500.
/// </summary>
public sealed class KeyRotationTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly TestKeys _keys = fixture.Keys;

    [Fact]
    public async Task Rotation_KidPublishedAfterAMiss_IsAcceptedWithoutARestart()
    {
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = "rotated-" + Guid.NewGuid().ToString("N");
        var token = _keys.Es256(Claims(), keyId: kid, key: next);
        var before = await _client.ProbeAsync(token);

        _keys.Rotate(next, kid);
        var after = await _client.ProbeAsync(token);

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, before);
        AuthHttp.ProbeAccepted(after);
        AuthHttp.ProbeAccepted(await _client.ProbeAsync(_keys.Es256(Claims())));
        AuthHttp.ProbeAccepted(await _client.ProbeAsync(_keys.Rs256(Claims())));
    }

    [Fact]
    public async Task Rotation_KeySetHoldingAKeyNotOnTheCurve_LoadsTheOtherKeys()
    {
        var badKid = "off-curve-" + Guid.NewGuid().ToString("N");
        _keys.AddJwk(new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["kid"] = badKid,
            ["x"] = Base64Url.Encode(new byte[32]),
            ["y"] = Base64Url.Encode(Enumerable.Repeat((byte)7, 32).ToArray()),
        });
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var goodKid = _keys.Rotate(next, "after-bad-" + Guid.NewGuid().ToString("N"));

        var bad = await _client.ProbeAsync(_keys.Es256(Claims(), keyId: badKid, key: next));
        var good = await _client.ProbeAsync(_keys.Es256(Claims(), keyId: goodKid, key: next));

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, bad);
        AuthHttp.ProbeAccepted(good);
    }

    /// <summary>A 1024-bit RSA key in the key set was used before: its tokens were accepted.</summary>
    [Theory]
    [InlineData(1024)]
    [InlineData(2040)]
    public async Task Rotation_KeySetHoldingAnRsaKeyUnder2048Bits_PassesItOverAndLoadsTheOtherKeys(int bits)
    {
        using var weak = RSA.Create(bits);
        using var strong = RSA.Create(2048);
        var weakKid = _keys.AddRsa(weak, $"rsa-{bits}-" + Guid.NewGuid().ToString("N"));
        var strongKid = _keys.AddRsa(strong, "rsa-2048-" + Guid.NewGuid().ToString("N"));

        var refused = await _client.ProbeAsync(_keys.Rs256(Claims(), keyId: weakKid, key: weak));
        var accepted = await _client.ProbeAsync(_keys.Rs256(Claims(), keyId: strongKid, key: strong));

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, refused);
        AuthHttp.ProbeAccepted(accepted);
    }

    /// <summary>A key set that is not JSON, or JSON whose top level is not an object (once a 500 on every re-read): the keys in hand stay.</summary>
    [Theory]
    [InlineData("{\"keys\": [")]
    [InlineData("[]")]
    [InlineData("\"unavailable\"")]
    [InlineData("null")]
    [InlineData("{\"keys\": {}}")]
    public async Task Rotation_KeySetFileBroken_KeepsTheKeysItHas(string broken)
    {
        AuthHttp.ProbeAccepted(await _client.ProbeAsync(_keys.Es256(Claims())));
        try
        {
            _keys.PublishText(broken);

            var unknown = await _client.ProbeAsync(_keys.Es256(Claims(), keyId: "while-broken", key: _keys.Stranger));
            var known = await _client.ProbeAsync(_keys.Rs256(Claims()));

            AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, unknown);
            AuthHttp.ProbeAccepted(known);
        }
        finally
        {
            _keys.Publish();
        }
    }

    private static JsonObject Claims() => TestKeys.Claims([AuthHttp.ProbePermission]);
}
