using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Entitlements.XboxLiveSimulator;

/// <summary>
/// XSTS tokens as a partner relying party receives them: a JWS (RS256) nested in a compact JWE
/// (RSA-OAEP-256 key wrap, A256GCM content), and the check of the delegated credential on collections calls.
/// </summary>
public sealed class XstsTokens(SimulatorKeys keys, IOptions<SimulatorOptions> options, TimeProvider time)
{
    /// <summary>The <c>XBL3.0 x=&lt;uhs&gt;;&lt;token&gt;</c> string the Xbox SDK hands a title.</summary>
    public string Issue(SimulatedUser user, TokenRequest request)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = settings.Issuer,
            ["aud"] = request.Audience ?? settings.Audience,
            ["iat"] = now,
            ["nbf"] = now + (request.NotBeforeSeconds ?? 0),
            ["exp"] = now + (request.LifetimeSeconds ?? settings.TokenLifetimeSeconds),
            ["sbx"] = request.Sandbox ?? settings.Sandbox,
            ["xui"] = new JsonArray(new JsonObject { ["xid"] = user.Xuid, ["uhs"] = user.UserHash, ["gtg"] = request.Gamertag ?? user.Gamertag, ["agg"] = "Adult" }),
        };

        string jws;
        if (request.SignWithUnknownKey)
        {
            using var stranger = RSA.Create(2048);
            jws = Sign(claims, stranger, "unknown");
        }
        else
        {
            jws = Sign(claims, keys.Signing, keys.SigningKeyId);
        }

        string jwe;
        if (request.EncryptToUnknownKey)
        {
            using var stranger = RSA.Create(2048);
            jwe = Encrypt(jws, stranger);
        }
        else
        {
            jwe = Encrypt(jws, keys.RelyingParty);
        }

        return $"XBL3.0 x={request.HeaderUserHash ?? user.UserHash};{jwe}";
    }

    /// <summary>The XUID of a valid delegated credential; null when it is not one.</summary>
    public string? ReadUser(string? authorization)
    {
        const string Prefix = "XBL3.0 x=";
        if (authorization is null || !authorization.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var separator = authorization.IndexOf(';', StringComparison.Ordinal);
        if (separator < 0)
        {
            return null;
        }

        var userHash = authorization[Prefix.Length..separator];
        try
        {
            var parts = authorization[(separator + 1)..].Split('.');
            if (parts.Length != 5)
            {
                return null;
            }

            var cek = keys.RelyingParty.Decrypt(Base64Url.Decode(parts[1]), RSAEncryptionPadding.OaepSHA256);
            var iv = Base64Url.Decode(parts[2]);
            var ciphertext = Base64Url.Decode(parts[3]);
            var plaintext = new byte[ciphertext.Length];
            using (var aes = new AesGcm(cek, 16))
            {
                aes.Decrypt(iv, ciphertext, Base64Url.Decode(parts[4]), plaintext, Encoding.ASCII.GetBytes(parts[0]));
            }

            var jws = Encoding.ASCII.GetString(plaintext).Split('.');
            if (jws.Length != 3 || !keys.Signing.VerifyData(Encoding.ASCII.GetBytes(jws[0] + "." + jws[1]), Base64Url.Decode(jws[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return null;
            }

            var claims = JsonNode.Parse(Base64Url.Decode(jws[1]))!;
            var user = claims["xui"]![0]!;
            return claims["exp"]!.GetValue<long>() > time.GetUtcNow().ToUnixTimeSeconds() && (string?)user["uhs"] == userHash ? (string?)user["xid"] : null;
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException or JsonException or InvalidOperationException or NullReferenceException or ArgumentException)
        {
            return null;
        }
    }

    private static string Sign(JsonObject claims, RSA key, string keyId)
    {
        var header = Base64Url.Encode(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = keyId }));
        var payload = Base64Url.Encode(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return header + "." + payload + "." + Base64Url.Encode(signature);
    }

    private static string Encrypt(string jws, RSA recipient)
    {
        var header = Base64Url.Encode(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["alg"] = "RSA-OAEP-256", ["enc"] = "A256GCM", ["cty"] = "JWT" }));
        var cek = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(12);
        var plaintext = Encoding.ASCII.GetBytes(jws);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(cek, 16))
        {
            aes.Encrypt(iv, plaintext, ciphertext, tag, Encoding.ASCII.GetBytes(header));
        }

        var encryptedKey = recipient.Encrypt(cek, RSAEncryptionPadding.OaepSHA256);
        return string.Join('.', header, Base64Url.Encode(encryptedKey), Base64Url.Encode(iv), Base64Url.Encode(ciphertext), Base64Url.Encode(tag));
    }
}
