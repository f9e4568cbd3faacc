using System.Collections.ObjectModel;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Auth;

/// <summary>
/// Checks a credential and answers with a verified token or RallyHere's precise reason. The checks, in
/// order (docs/api.md, "Authentication", lists the claim each one reads):
/// credential shape → JSON of header and payload → no name twice in one object → header (<c>alg</c>, <c>kid</c>) → readable text → claim types →
/// key (<c>kid</c>) → signature → <c>ver</c> → <c>token_type</c> → <c>exp</c> not past → <c>exp</c> within
/// <see cref="AuthOptions.MaxTokenLifetime"/> → <c>nbf</c>, <c>iss</c>, <c>aud</c>.
/// A token that passed them all is remembered (<see cref="ValidatedTokenCache"/>): sent again while the key
/// set is unchanged, it is answered from there after the only checks whose outcome can change,
/// <c>exp</c> (both ways) and <c>nbf</c> against the current time, with the same answers as a full validation.
/// </summary>
public sealed class JwtValidator(
    SigningKeySet keys,
    ValidatedTokenCache cache,
    AuthMetrics metrics,
    IOptions<AuthOptions> options,
    TimeProvider time)
{
    /// <summary>Tokens longer than this are refused before any parsing.</summary>
    public const int MaxTokenLength = 16 * 1024;

    public const int SupportedVersion = 1;

    private static readonly string[] Algorithms = ["RS256", "ES256"];

    /// <param name="credential">The <c>Authorization</c> header or cookie value, <c>Bearer &lt;jwt&gt;</c>.</param>
    /// <exception cref="SigningKeysUnavailableException">The token needs the key set, which has never loaded.</exception>
    public async Task<(AccessToken? Token, TokenRejection? Rejection)> ValidateAsync(string? credential, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(credential))
        {
            return Reject(AuthErrorCode.NotJwt, "Invalid Authorization");
        }

        const string Scheme = "Bearer ";
        if (!credential.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Reject(AuthErrorCode.NotJwt, "Invalid Authorization");
        }

        var jwt = credential[Scheme.Length..].Trim();
        if (!HasJwtShape(jwt))
        {
            return Reject(AuthErrorCode.NotJwt, "Invalid Authorization");
        }

        if (jwt.Length > MaxTokenLength)
        {
            return Reject(AuthErrorCode.MalformedAccess, "Invalid Authorization - malformed access token");
        }

        if (cache.Find(jwt, keys.Generation) is { } cached)
        {
            metrics.CacheHit();
            return TimeRejection(cached.Expires, cached.NotBefore) is { } late ? (null, late) : (cached.Token, null);
        }

        var parts = jwt.Split('.');

        if (!TryParseObject(parts[0], out var header, out var headerRepeatsName) || !TryParseObject(parts[1], out var payload, out var payloadRepeatsName))
        {
            return Reject(AuthErrorCode.Unknown, "Failed to parse token");
        }

        using (header)
        using (payload)
        {
            // A name given twice ("permissions":[],"permissions":["ops:*"]) is read by some parsers as its
            // first copy and by others as its last, so what the issuer meant and what is read here could
            // differ: the token is refused, as RFC 7519 allows, before anything in it is read.
            if (headerRepeatsName || payloadRepeatsName)
            {
                return Reject(AuthErrorCode.MalformedAccess, "Invalid Authorization - malformed access token");
            }

            var (validated, rejection) = await ValidateAsync(parts, header!.RootElement, payload!.RootElement, cancellationToken);
            if (validated is null)
            {
                return (null, rejection);
            }

            cache.Add(jwt, validated);
            return (validated.Token, null);
        }
    }

    private async Task<(ValidatedToken?, TokenRejection?)> ValidateAsync(string[] parts, JsonElement header, JsonElement payload, CancellationToken cancellationToken)
    {
        // The order of docs/api.md, "Authentication": alg and kid are judged before the text is read, so an alg
        // that is not RS256 or ES256 is malformed access however unreadable the rest of the token (or the alg
        // itself) is.
        if (Algorithm(header) is not { } algorithm || !Algorithms.Contains(algorithm) || !NamesKey(header))
        {
            return Refuse(AuthErrorCode.MalformedAccess, "Invalid Authorization - malformed access token");
        }

        if (!Readable(header) || !Readable(payload))
        {
            return Refuse(AuthErrorCode.Unknown, "Failed to parse token");
        }

        var keyId = Text(header, "kid")!;

        if (FirstMistypedClaim(payload) is { } claim)
        {
            return Refuse(AuthErrorCode.TokenFormat, $"Invalid Authorization - claim '{claim}' has the wrong type");
        }

        // The generation of the set that holds the key: the cache entry counts for as long as that set is in use.
        var (key, keyGeneration) = await keys.FindAsync(keyId, cancellationToken);
        if (key is null)
        {
            return Refuse(AuthErrorCode.InvalidKeyId, "Invalid Authorization - Invalid Key ID in Access Token");
        }

        metrics.SignatureChecked();
        if (!Base64Url.TryDecode(parts[2], out var signature)
            || !key.Verify(algorithm, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), signature))
        {
            return Refuse(AuthErrorCode.SignatureInvalid, "Token Signature is invalid");
        }

        if (payload.TryGetProperty("ver", out var version) && !(version.TryGetInt64(out var v) && v == SupportedVersion))
        {
            return Refuse(AuthErrorCode.InvalidVersion, "Invalid Authorization - version");
        }

        if (Text(payload, "token_type") is { } type && type != "access")
        {
            return Refuse(AuthErrorCode.InvalidType, "Invalid Authorization - token is not an access token");
        }

        var expires = payload.GetProperty("exp").GetDouble();
        double? notBefore = payload.TryGetProperty("nbf", out var nbf) ? nbf.GetDouble() : null;
        if (TimeRejection(expires, notBefore) is { } late)
        {
            return (null, late);
        }

        var settings = options.Value;
        if (settings.Issuer is { } issuer && Text(payload, "iss") != issuer)
        {
            return Refuse(AuthErrorCode.InvalidClaim, "Token contained invalid claim value: iss");
        }

        if (settings.Audience is { } audience && !Audiences(payload).Contains(audience))
        {
            return Refuse(AuthErrorCode.InvalidClaim, "Token contained invalid claim value: aud");
        }

        // Read-only: a cached token is shared by every request that sends it.
        var permissions = payload.TryGetProperty("permissions", out var list)
            ? Array.AsReadOnly(list.EnumerateArray().Select(p => p.GetString()!).ToArray())
            : ReadOnlyCollection<string>.Empty;
        var token = new AccessToken(Text(payload, "sub"), permissions) { Expires = ExpiresAt(expires) };
        return (new ValidatedToken(token, expires, notBefore, keyGeneration), null);
    }

    /// <summary>
    /// The checks that depend on the time, for a fresh token and a cached one alike: <c>exp</c> not past, nor further
    /// ahead than <see cref="AuthOptions.MaxTokenLifetime"/>, and <c>nbf</c> not in the future, each with <see cref="AuthOptions.ClockSkewSeconds"/>.
    /// </summary>
    private TokenRejection? TimeRejection(double expires, double? notBefore)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var settings = options.Value;
        var skew = Math.Max(0, settings.ClockSkewSeconds);
        if (expires + skew <= now)
        {
            return new TokenRejection(AuthErrorCode.Expired, "Token is expired");
        }

        // A token cannot be revoked before it expires: one that claims to live longer than the bound is refused,
        // from the cache too (whose entries are checked here on every use), as a bad exp.
        if (expires - skew - now > settings.MaxTokenLifetime.TotalSeconds)
        {
            return new TokenRejection(AuthErrorCode.InvalidClaim, "Token contained invalid claim value: exp");
        }

        if (notBefore is { } start && start - skew > now)
        {
            return new TokenRejection(AuthErrorCode.InvalidClaim, "Token contained invalid claim value: nbf");
        }

        return null;
    }

    /// <summary>The earliest time at which a validation refuses <paramref name="token"/> as expired (its <c>exp</c> with the clock skew).</summary>
    public DateTimeOffset RejectedFrom(AccessToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var skew = TimeSpan.FromSeconds(Math.Max(0, options.Value.ClockSkewSeconds));
        return token.Expires >= DateTimeOffset.MaxValue - skew ? DateTimeOffset.MaxValue : token.Expires + skew;
    }

    /// <summary><c>exp</c> as a time: the next whole second for a fraction (the check compares whole seconds), the calendar's end beyond it.</summary>
    private static DateTimeOffset ExpiresAt(double expires)
    {
        var seconds = Math.Ceiling(expires);
        return seconds >= DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.MaxValue
            : seconds <= DateTimeOffset.MinValue.ToUnixTimeSeconds() ? DateTimeOffset.MinValue
            : DateTimeOffset.FromUnixTimeSeconds((long)seconds);
    }

    /// <summary>The first registered or permission claim whose JSON type is wrong; <c>exp</c> is required.</summary>
    private static string? FirstMistypedClaim(JsonElement payload)
    {
        if (!payload.TryGetProperty("exp", out var exp) || !IsFiniteNumber(exp))
        {
            return "exp";
        }

        foreach (var name in new[] { "nbf", "iat" })
        {
            if (payload.TryGetProperty(name, out var value) && !IsFiniteNumber(value))
            {
                return name;
            }
        }

        if (payload.TryGetProperty("ver", out var version) && version.ValueKind != JsonValueKind.Number)
        {
            return "ver";
        }

        foreach (var name in new[] { "sub", "iss", "token_type" })
        {
            if (payload.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.String)
            {
                return name;
            }
        }

        if (payload.TryGetProperty("aud", out var aud)
            && aud.ValueKind != JsonValueKind.String
            && !(aud.ValueKind == JsonValueKind.Array && aud.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String)))
        {
            return "aud";
        }

        if (payload.TryGetProperty("permissions", out var permissions)
            && !(permissions.ValueKind == JsonValueKind.Array && permissions.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String)))
        {
            return "permissions";
        }

        return null;
    }

    private static bool IsFiniteNumber(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number);

    private static IEnumerable<string> Audiences(JsonElement payload) =>
        !payload.TryGetProperty("aud", out var aud) ? []
        : aud.ValueKind == JsonValueKind.String ? [aud.GetString()!]
        : aud.EnumerateArray().Select(a => a.GetString()!);

    /// <summary>Three dot-separated parts, the first two not empty (the signature may be, and fails later).</summary>
    private static bool HasJwtShape(ReadOnlySpan<char> jwt)
    {
        var first = jwt.IndexOf('.');
        if (first <= 0)
        {
            return false;
        }

        var rest = jwt[(first + 1)..];
        var second = rest.IndexOf('.');
        return second > 0 && !rest[(second + 1)..].Contains('.');
    }

    /// <summary>
    /// The segment as a JSON object; <paramref name="repeatsName"/> when some object in it (the top one or a
    /// nested one) has a property name twice, which the parser refuses only when asked to.
    /// </summary>
    private static bool TryParseObject(string segment, out JsonDocument? document, out bool repeatsName)
    {
        document = null;
        repeatsName = false;
        if (!Base64Url.TryDecode(segment, out var bytes))
        {
            return false;
        }

        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // Not JSON, or JSON with a name twice: only the latter parses when duplicates are let through. A
            // name that cannot be unescaped (a lone surrogate) cannot be compared, and throws the other
            // exception: such a token is refused anyway once its text is read, with or without a name twice.
            try
            {
                document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
                repeatsName = exception is JsonException;
            }
            catch (JsonException)
            {
                return false;
            }
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            document = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// False when a name or string does not decode to text (bytes that are not UTF-8, an escaped lone
    /// surrogate): the parser accepts them, but reading them later would throw.
    /// </summary>
    private static bool Readable(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!Readable(property.Value))
                        {
                            return false;
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!Readable(item))
                        {
                            return false;
                        }
                    }

                    break;
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
            }

            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The header's <c>alg</c> when it is a string that can be read, else null. Text that cannot be read (a
    /// name or value with a lone surrogate) is passed over here, never thrown on: it is refused after this check.
    /// </summary>
    private static string? Algorithm(JsonElement header)
    {
        if (Named(header, "alg") is not { ValueKind: JsonValueKind.String } alg)
        {
            return null;
        }

        try
        {
            return alg.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The header names a key: <c>kid</c> is a string that is not empty (whether it can be read is checked next).</summary>
    private static bool NamesKey(JsonElement header)
    {
        if (Named(header, "kid") is not { ValueKind: JsonValueKind.String } kid)
        {
            return false;
        }

        try
        {
            return !kid.ValueEquals(""u8);
        }
        catch (InvalidOperationException)
        {
            // An escape that does not unescape (a lone surrogate): some text, which cannot be read.
            return true;
        }
    }

    /// <summary>The value of property <paramref name="name"/>; names that cannot be read are not it (a name given twice was refused before).</summary>
    private static JsonElement? Named(JsonElement element, string name)
    {
        JsonElement? found = null;
        foreach (var property in element.EnumerateObject())
        {
            try
            {
                if (property.NameEquals(name))
                {
                    found = property.Value;
                }
            }
            catch (InvalidOperationException)
            {
                // An escaped lone surrogate in the name: not the property asked for.
            }
        }

        return found;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static (AccessToken?, TokenRejection?) Reject(string code, string description) => (null, new TokenRejection(code, description));

    private static (ValidatedToken?, TokenRejection?) Refuse(string code, string description) => (null, new TokenRejection(code, description));
}
