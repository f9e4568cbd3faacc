using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Entitlements.Tests.Auth;

/// <summary>
/// A key of the JWKS that the gateway cannot use is passed over with one warning naming its place, its kid
/// and the reason, and no key material; a re-read that passes over the same keys says nothing again. Keys
/// were passed over silently before, and of two keys with one kid the last was used.
/// </summary>
public sealed class SkippedKeyLogTests
{
    private const string Category = "Entitlements.Gateway.Auth.SigningKeySet";

    private static readonly string[] Expected = [.. new[]
    {
        "the key at index 2 of Auth:JwksUrl (kid \"enc-1\") is for use \"enc\", not \"sig\"",
        "the key at index 3 of Auth:JwksUrl (kid \"rs512-1\") has alg \"RS512\": an RSA key is read for RS256 only",
        "the key at index 4 of Auth:JwksUrl (kid \"hmac-1\") has kty \"oct\": only RSA and EC keys are read",
        "the key at index 5 of Auth:JwksUrl (kid \"p384-1\") has crv \"P-384\": only P-256 EC keys are read",
        "the key at index 6 of Auth:JwksUrl (kid \"off-curve-1\") has an x and y that are not a point on P-256",
        "the key at index 7 of Auth:JwksUrl (kid \"rsa-1024-1\") is an RSA key of 1024 bits, under the 2048 required",
        "the key at index 8 of Auth:JwksUrl (kid none) has no kid",
        "the key at index 9 of Auth:JwksUrl (kid \"ec-1\") repeats the kid of an earlier key, which is the one used",
        "the key at index 10 of Auth:JwksUrl (kid none) is not a JSON object",
        "the key at index 11 of Auth:JwksUrl (kid \"line\\nbreak\") has no crv: only P-256 EC keys are read",
    }.Select(Warning)];

    [Fact]
    public async Task KeySet_KeysItCannotUse_AreEachNamedInOneWarningOncePerKeySet()
    {
        await using var gateway = await KeySourceGateway.StartAsync();
        var (client, keys, endpoint) = (gateway.Client, gateway.Keys, gateway.Endpoint);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);
        using var weak = RSA.Create(1024);
        var published = JsonNode.Parse(await File.ReadAllTextAsync(keys.JwksPath))!.AsObject();
        var list = published["keys"]!.AsArray();
        list.Add(Ec(other, "enc-1", "P-256", use: "enc"));
        list.Add(Rsa(rsa, "rs512-1", alg: "RS512"));
        list.Add(new JsonObject { ["kty"] = "oct", ["kid"] = "hmac-1", ["k"] = Base64Url.Encode(RandomNumberGenerator.GetBytes(32)) });
        list.Add(Ec(p384, "p384-1", "P-384"));
        list.Add(new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["kid"] = "off-curve-1", ["x"] = Base64Url.Encode(new byte[32]), ["y"] = Base64Url.Encode(Enumerable.Repeat((byte)7, 32).ToArray()) });
        list.Add(Rsa(weak, "rsa-1024-1"));
        list.Add(Ec(other, kid: null, "P-256"));
        list.Add(Ec(other, keys.EcKeyId, "P-256"));
        list.Add("not a key");
        list.Add(new JsonObject { ["kty"] = "EC", ["kid"] = "line\nbreak" });
        keys.PublishText(published.ToJsonString());
        // The first read; then a token naming the repeated kid, signed by the first key with it and by the second.
        AuthHttp.ProbeAccepted(await client.ProbeAsync(keys.Es256(Claims())));
        var first = Warnings(gateway);
        var byRepeat = await client.ProbeAsync(keys.Es256(Claims(), key: other));

        // A re-read (an unknown kid, once the interval has passed, waits for it) of the same document.
        gateway.Time.Advance(TimeSpan.FromSeconds(KeySourceGateway.RefreshIntervalSeconds));
        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, await client.ProbeAsync(keys.Es256(Claims(), keyId: "unknown-1", key: keys.Stranger)));
        var afterSameRead = Warnings(gateway);
        var readsBeforeChange = endpoint.Requests;

        // A re-read of a document with another key passed over: that is another key set, whose keys are named again.
        list.Add(Ec(other, "enc-2", "P-256", use: "enc"));
        keys.PublishText(published.ToJsonString());
        gateway.Time.Advance(TimeSpan.FromSeconds(KeySourceGateway.RefreshIntervalSeconds));
        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, await client.ProbeAsync(keys.Es256(Claims(), keyId: "unknown-2", key: keys.Stranger)));
        var afterChangedRead = Warnings(gateway);

        Assert.Equal(Expected, first);
        AuthHttp.Rejected("auth_token_sig_invalid", AuthHttp.SignatureInvalid, byRepeat);
        Assert.Equal(2, readsBeforeChange);
        Assert.Equal(3, endpoint.Requests);
        Assert.Equal(Expected, afterSameRead);
        Assert.Equal(
            [.. Expected, .. Expected, Warning("the key at index 12 of Auth:JwksUrl (kid \"enc-2\") is for use \"enc\", not \"sig\"")],
            afterChangedRead);
        AuthHttp.ProbeAccepted(await client.ProbeAsync(keys.Rs256(Claims())));
    }

    private static string Warning(string key) => $"Signing key passed over: {key}. A token naming it is not verified with it";

    private static string[] Warnings(KeySourceGateway gateway) =>
        [.. gateway.Log.Entries.Where(entry => entry.Category == Category && entry.Level == LogLevel.Warning).Select(entry => entry.Message)];

    private static JsonObject Ec(ECDsa key, string? kid, string curve, string use = "sig")
    {
        var parameters = key.ExportParameters(false);
        var jwk = new JsonObject { ["kty"] = "EC", ["crv"] = curve, ["use"] = use, ["x"] = Base64Url.Encode(parameters.Q.X), ["y"] = Base64Url.Encode(parameters.Q.Y) };
        if (kid is not null)
        {
            jwk["kid"] = kid;
        }

        return jwk;
    }

    private static JsonObject Rsa(RSA key, string kid, string alg = "RS256")
    {
        var parameters = key.ExportParameters(false);
        return new JsonObject { ["kty"] = "RSA", ["alg"] = alg, ["kid"] = kid, ["n"] = Base64Url.Encode(parameters.Modulus), ["e"] = Base64Url.Encode(parameters.Exponent) };
    }

    private static JsonObject Claims() => TestKeys.Claims([AuthHttp.ProbePermission]);
}
