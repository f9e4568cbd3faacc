using System.Security.Cryptography;
using System.Text.Json;

namespace Entitlements.Gateway.Auth;

/// <summary>Reads the signing keys of a JWKS document (RFC 7517): RSA keys of at least 2048 bits and EC P-256 keys with a <c>kid</c>.</summary>
public static class JsonWebKeys
{
    /// <summary>The smallest RSA modulus read; a smaller key is passed over like any other key that cannot be used.</summary>
    public const int MinRsaKeyBits = 2048;

    public static IReadOnlyList<SigningKey> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("A JWKS document is an object with a \"keys\" array.");
        }

        var result = new List<SigningKey>();
        foreach (var key in keys.EnumerateArray())
        {
            if (Read(key) is { } signingKey)
            {
                result.Add(signingKey);
            }
        }

        return result;
    }

    /// <summary>
    /// One key, or null when it is not a signing key we use, its parameters are not a valid key (a
    /// point off the curve, text that is not UTF-8) or it is an RSA key under <see cref="MinRsaKeyBits"/>:
    /// one bad entry must not cost the others.
    /// </summary>
    private static SigningKey? Read(JsonElement key)
    {
        try
        {
            if (key.ValueKind != JsonValueKind.Object || Text(key, "kid") is not { } kid || Text(key, "use") is not (null or "sig"))
            {
                return null;
            }

            switch (Text(key, "kty"))
            {
                case "RSA" when Bytes(key, "n") is { } n && Bytes(key, "e") is { } e:
                    var rsa = RSA.Create();
                    try
                    {
                        rsa.ImportParameters(new RSAParameters { Modulus = n, Exponent = e });
                        if (rsa.KeySize < MinRsaKeyBits)
                        {
                            // Factorable with public means (RFC 7518 asks for 2048 bits): not a key to trust.
                            rsa.Dispose();
                            return null;
                        }

                        return new SigningKey(kid, rsa, null);
                    }
                    catch (CryptographicException)
                    {
                        rsa.Dispose();
                        return null;
                    }

                case "EC" when Text(key, "crv") == "P-256" && Bytes(key, "x") is { Length: 32 } x && Bytes(key, "y") is { Length: 32 } y:
                    return new SigningKey(kid, null, ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } }));
                default:
                    return null;
            }
        }
        catch (Exception exception) when (exception is CryptographicException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The public JWK of a P-256 key.</summary>
    public static Dictionary<string, string> PublicJwk(ECDsa key, string kid)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return new Dictionary<string, string>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["use"] = "sig",
            ["alg"] = "ES256",
            ["kid"] = kid,
            ["x"] = Base64Url.Encode(parameters.Q.X),
            ["y"] = Base64Url.Encode(parameters.Q.Y),
        };
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Bytes(JsonElement element, string name) =>
        Text(element, name) is { } text && Base64Url.TryDecode(text, out var bytes) && bytes.Length > 0 ? bytes : null;
}
