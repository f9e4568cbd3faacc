using System.Security.Cryptography;
using System.Text.Json;

namespace Entitlements.Gateway.Auth;

/// <summary>Reads the signing keys of a JWKS document (RFC 7517): RSA keys of at least 2048 bits and EC P-256 keys with a <c>kid</c>.</summary>
public static partial class JsonWebKeys
{
    /// <summary>The smallest RSA modulus read; a smaller key is passed over like any other key that cannot be used.</summary>
    public const int MinRsaKeyBits = 2048;

    /// <summary>The most characters of a value (a <c>kid</c>, a <c>kty</c>) a reason quotes.</summary>
    private const int MaxQuotedLength = 64;

    /// <summary>
    /// The keys of <paramref name="json"/> the gateway can use, and those it passes over with the reason: one bad
    /// entry must not cost the others. A key whose <c>kid</c> an earlier key already has (in this document, or in
    /// <paramref name="kidsTaken"/>, the kids of documents read before it) is passed over too: the first is used.
    /// </summary>
    /// <param name="kidsTaken">The kids already taken; the kids of the keys read here are added to it.</param>
    /// <exception cref="FormatException">The document is not an object with a <c>keys</c> array.</exception>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    public static JsonWebKeySet Parse(string json, ISet<string>? kidsTaken = null)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("A JWKS document is an object with a \"keys\" array.");
        }

        kidsTaken ??= new HashSet<string>(StringComparer.Ordinal);
        var result = new List<SigningKey>();
        var skipped = new List<SkippedJsonWebKey>();
        var index = 0;
        foreach (var key in keys.EnumerateArray())
        {
            var (signingKey, keyId, reason) = Read(key);
            if (signingKey is not null && !kidsTaken.Add(signingKey.KeyId))
            {
                signingKey.Rsa?.Dispose();
                signingKey.Ec?.Dispose();
                (signingKey, reason) = (null, "repeats the kid of an earlier key, which is the one used");
            }

            if (signingKey is not null)
            {
                result.Add(signingKey);
            }
            else
            {
                skipped.Add(new SkippedJsonWebKey(index, keyId, reason!));
            }

            index++;
        }

        return new JsonWebKeySet(result, skipped);
    }

    /// <summary>One Warning per key passed over, naming <paramref name="source"/>, the key's place and kid, and the reason.</summary>
    public static void LogSkipped(ILogger logger, string source, IEnumerable<SkippedJsonWebKey> skipped)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        foreach (var key in skipped)
        {
            LogKeyPassedOver(logger, key.Index, source, key.KeyId is { } kid ? Quote(kid) : "none", key.Reason);
        }
    }

    /// <summary>
    /// One key, or the reason it is passed over: it is not a signing key we use, its parameters are not a valid
    /// key (a point off the curve, text that cannot be read) or it is an RSA key under <see cref="MinRsaKeyBits"/>.
    /// The kid is given whenever it can be read, to name the key in the warning.
    /// </summary>
    private static (SigningKey? Key, string? KeyId, string? Reason) Read(JsonElement key)
    {
        if (key.ValueKind != JsonValueKind.Object)
        {
            return (null, null, "is not a JSON object");
        }

        string? kid;
        try
        {
            kid = Text(key, "kid");
        }
        catch (InvalidOperationException)
        {
            return (null, null, "has a kid that is not readable text");
        }

        if (kid is null)
        {
            return (null, null, key.TryGetProperty("kid", out _) ? "has a kid that is not a string" : "has no kid");
        }

        try
        {
            var (signingKey, reason) = ReadKey(key, kid);
            return (signingKey, kid, reason);
        }
        catch (Exception exception) when (exception is CryptographicException or InvalidOperationException)
        {
            // InvalidOperationException: a value that is not readable text (an escaped lone surrogate).
            return (null, kid, "holds a value that is not readable text or not a valid key");
        }
    }

    private static (SigningKey? Key, string? Reason) ReadKey(JsonElement key, string kid)
    {
        if (Text(key, "use") is { } use && use != "sig")
        {
            return (null, $"is for use {Quote(use)}, not \"sig\"");
        }

        var alg = Text(key, "alg");
        switch (Text(key, "kty"))
        {
            case "RSA" when alg is not (null or "RS256"):
                return (null, $"has alg {Quote(alg)}: an RSA key is read for RS256 only");
            case "RSA":
                if (Bytes(key, "n") is not { } n || Bytes(key, "e") is not { } e)
                {
                    return (null, "has an n or e that is missing or not base64url");
                }

                var rsa = RSA.Create();
                try
                {
                    rsa.ImportParameters(new RSAParameters { Modulus = n, Exponent = e });
                }
                catch (CryptographicException)
                {
                    rsa.Dispose();
                    return (null, "has an n and e that are not an RSA public key");
                }

                if (rsa.KeySize < MinRsaKeyBits)
                {
                    // Factorable with public means (RFC 7518 asks for 2048 bits): not a key to trust.
                    var bits = rsa.KeySize;
                    rsa.Dispose();
                    return (null, $"is an RSA key of {bits} bits, under the {MinRsaKeyBits} required");
                }

                return (new SigningKey(kid, rsa, null), null);
            case "EC" when alg is not (null or "ES256"):
                return (null, $"has alg {Quote(alg)}: an EC key is read for ES256 only");
            case "EC" when Text(key, "crv") is not "P-256":
                return (null, Text(key, "crv") is { } crv ? $"has crv {Quote(crv)}: only P-256 EC keys are read" : "has no crv: only P-256 EC keys are read");
            case "EC" when Bytes(key, "x") is not { Length: 32 } || Bytes(key, "y") is not { Length: 32 }:
                return (null, "has an x or y that is not 32 bytes of base64url");
            case "EC":
                try
                {
                    return (new SigningKey(kid, null, ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = Bytes(key, "x"), Y = Bytes(key, "y") } })), null);
                }
                catch (CryptographicException)
                {
                    return (null, "has an x and y that are not a point on P-256");
                }

            case { } kty:
                return (null, $"has kty {Quote(kty)}: only RSA and EC keys are read");
            default:
                return (null, "has no kty");
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

    /// <summary>
    /// A value from the document as a log may show it: in quotes, with control and non-ASCII characters escaped
    /// (a line break cannot forge a log line), cut at <see cref="MaxQuotedLength"/> characters.
    /// </summary>
    private static string Quote(string value)
    {
        var length = value.Length <= MaxQuotedLength ? value.Length : char.IsHighSurrogate(value[MaxQuotedLength - 1]) ? MaxQuotedLength - 1 : MaxQuotedLength;
        var text = $"\"{JsonEncodedText.Encode(value.AsSpan(0, length))}\"";
        return length < value.Length ? text + "..." : text;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Bytes(JsonElement element, string name) =>
        Text(element, name) is { } text && Base64Url.TryDecode(text, out var bytes) && bytes.Length > 0 ? bytes : null;
}
