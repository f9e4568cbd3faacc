using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;

namespace Entitlements.Tests.Auth;

/// <summary>
/// Signing keys the tests control, published as a JWKS file the gateway reads, and a token builder
/// that can break any part of a token on purpose.
/// </summary>
public sealed class TestKeys : IDisposable
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "entitlements-api";

    public TestKeys(string jwksPath)
    {
        JwksPath = jwksPath;
        Publish();
    }

    public string JwksPath { get; }

    public RSA Rsa { get; } = RSA.Create(2048);

    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>A key that is not in the key set, for re-signed tokens.</summary>
    public ECDsa Stranger { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string RsaKeyId { get; } = "rsa-1";

    public string EcKeyId { get; } = "ec-1";

    private List<JsonObject> Extra { get; } = [];

    public void Dispose()
    {
        Rsa.Dispose();
        Ec.Dispose();
        Stranger.Dispose();
    }

    /// <summary>Add a key to the published set (a rotation), returning its kid.</summary>
    public string Rotate(ECDsa key, string keyId)
    {
        ArgumentNullException.ThrowIfNull(key);
        Extra.Add(EcJwk(key, keyId));
        Publish();
        return keyId;
    }

    /// <summary>Add an RSA key to the published set, returning its kid.</summary>
    public string AddRsa(RSA key, string keyId)
    {
        ArgumentNullException.ThrowIfNull(key);
        Extra.Add(RsaJwk(key, keyId));
        Publish();
        return keyId;
    }

    /// <summary>Add any JWK, valid or not, to the published set.</summary>
    public void AddJwk(JsonObject jwk)
    {
        Extra.Add(jwk);
        Publish();
    }

    /// <summary>Replace the key set file with <paramref name="text"/>, e.g. a broken document; <see cref="Publish"/> restores it.</summary>
    public void PublishText(string text)
    {
        var temporary = JwksPath + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, JwksPath, overwrite: true);
    }

    /// <summary>Claims of a valid access token; tests change what they need.</summary>
    public static JsonObject Claims(IEnumerable<string> permissions, string subject = "service-account") => new()
    {
        ["iss"] = Issuer,
        ["aud"] = Audience,
        ["sub"] = subject,
        ["permissions"] = new JsonArray([.. permissions.Select(p => (JsonNode)p)]),
        ["token_type"] = "access",
        ["ver"] = 1,
        ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
    };

    public string Es256(JsonObject claims, string? keyId = null, ECDsa? key = null, JsonObject? header = null)
    {
        header ??= new JsonObject { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = keyId ?? EcKeyId };
        var input = SigningInput(header, claims);
        var signature = (key ?? Ec).SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{input}.{Base64Url.Encode(signature)}";
    }

    /// <summary>An ES256 token over a header and payload given as raw bytes, signed with the published EC key.</summary>
    public string Es256Raw(byte[] header, byte[] payload)
    {
        var input = $"{Base64Url.Encode(header)}.{Base64Url.Encode(payload)}";
        var signature = Ec.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{input}.{Base64Url.Encode(signature)}";
    }

    public string Rs256(JsonObject claims, string? keyId = null, JsonObject? header = null, RSA? key = null)
    {
        header ??= new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = keyId ?? RsaKeyId };
        var input = SigningInput(header, claims);
        var signature = (key ?? Rsa).SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{input}.{Base64Url.Encode(signature)}";
    }

    /// <summary>A token whose signature is an HMAC-SHA256 over the input with <paramref name="secret"/>.</summary>
    public static string Hs256(JsonObject header, JsonObject claims, byte[] secret)
    {
        var input = SigningInput(header, claims);
        return $"{input}.{Base64Url.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)))}";
    }

    /// <summary>The published RSA public key (DER SubjectPublicKeyInfo): the classic secret of an HS256 key-confusion forgery.</summary>
    public byte[] RsaPublicKeyBytes() => Rsa.ExportSubjectPublicKeyInfo();

    public static string SigningInput(JsonObject header, JsonObject claims) =>
        $"{Base64Url.Encode(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url.Encode(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";

    /// <summary>Write the key set file: the RSA and EC keys and every key added since.</summary>
    public void Publish() => Publish(except: null);

    /// <summary>Write the key set file without the key <paramref name="keyId"/> (a revoked key); <see cref="Publish"/> restores it.</summary>
    public void PublishWithout(string keyId) => Publish(except: keyId);

    private void Publish(string? except)
    {
        var keys = new List<JsonObject>
        {
            RsaJwk(Rsa, RsaKeyId),
            EcJwk(Ec, EcKeyId),
        };
        foreach (var extra in Extra)
        {
            keys.Add(extra.DeepClone().AsObject());
        }

        var published = new JsonArray([.. keys.Where(k => k["kid"]?.GetValueKind() != JsonValueKind.String || k["kid"]!.GetValue<string>() != except)]);
        PublishText(new JsonObject { ["keys"] = published }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static JsonObject RsaJwk(RSA key, string keyId)
    {
        var parameters = key.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = keyId,
            ["n"] = Base64Url.Encode(parameters.Modulus),
            ["e"] = Base64Url.Encode(parameters.Exponent),
        };
    }

    private static JsonObject EcJwk(ECDsa key, string keyId)
    {
        var parameters = key.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["use"] = "sig",
            ["alg"] = "ES256",
            ["kid"] = keyId,
            ["x"] = Base64Url.Encode(parameters.Q.X),
            ["y"] = Base64Url.Encode(parameters.Q.Y),
        };
    }
}
