using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Entitlements.Gateway.Auth;

namespace Entitlements.Tests.Auth;

/// <summary>
/// 2,000 random and mutated credentials (seeded, so every run sends the same ones) against a route none of
/// them may call: each is a 403 <c>HzApiErrorModel</c> with one of RallyHere's codes and its description.
/// Values a header cannot carry (non-ASCII, control characters) go in the <c>Authorization</c> cookie, percent-encoded.
/// </summary>
public sealed partial class AuthFuzzTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    private const int Count = 2000;
    private const int Seed = 20_240_501;

    /// <summary>Permissions a fuzzed token may hold: none covers <c>inv:entitlement_event:write</c>.</summary>
    private static readonly string[] SafePermissions =
        ["inv:catalog:read", "user:*", "inv:entitlement_event:read", "inv:", "inv:entitlement_event", "INV:*", "inv:entitlement_event:write:x", ""];

    private static readonly string[] NonAscii = ["é", "中文", "😀", "\u00A0", "ß", "\u200B", "Ω", "\u00FF", "\u0080", "ｂｅａｒｅｒ"];

    private static readonly Dictionary<string, Regex> Descriptions = new()
    {
        ["auth_not_jwt"] = new("^Invalid Authorization$"),
        ["auth_malformed_access"] = new("^Invalid Authorization - malformed access token$"),
        ["auth_token_format"] = new("^Invalid Authorization - claim '(exp|nbf|iat|ver|sub|iss|token_type|aud|permissions)' has the wrong type$"),
        ["auth_invalid_key_id"] = new("^Invalid Authorization - Invalid Key ID in Access Token$"),
        ["auth_token_sig_invalid"] = new("^Token Signature is invalid$"),
        ["auth_token_expired"] = new("^Token is expired$"),
        ["auth_token_invalid_claim"] = new("^Token contained invalid claim value: (nbf|iss|aud)$"),
        ["auth_token_invalid_type"] = new("^Invalid Authorization - token is not an access token$"),
        ["auth_invalid_version"] = new("^Invalid Authorization - version$"),
        ["auth_token_unknown"] = new("^Failed to parse token$"),
        ["insufficient_permissions"] = new("^Insufficient Permissions$"),
    };

    private readonly TestKeys _keys = fixture.Keys;

    [Fact]
    public async Task Authorization_2000RandomAndMutatedValues_AlwaysGet403WithAListedCode()
    {
        var random = new Random(Seed);
        var values = Enumerable.Range(0, Count).Select(i => Generate(random, i)).ToList();
        var failures = new ConcurrentQueue<string>();
        var codes = new ConcurrentDictionary<string, int>();
        var viaHeader = 0;
        var viaCookie = 0;

        await Parallel.ForEachAsync(values, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (value, cancellationToken) =>
        {
            var (kind, credential, asCookie) = value;
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/inventory/v1/entitlement-event", UriKind.Relative))
            {
                Content = new StringContent("{}", Encoding.UTF8, "application/json"),
            };
            if (asCookie)
            {
                Assert.True(request.Headers.TryAddWithoutValidation("Cookie", "Authorization=" + Uri.EscapeDataString(credential)));
            }
            else
            {
                Assert.True(request.Headers.TryAddWithoutValidation("Authorization", credential));
            }

            using var response = await fixture.Client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            Interlocked.Increment(ref asCookie ? ref viaCookie : ref viaHeader);
            if (Problem(response.StatusCode, body) is { } problem)
            {
                failures.Enqueue($"{kind} via {(asCookie ? "cookie" : "header")} [{Shorten(credential)}]: {(int)response.StatusCode} {body} ({problem})");
            }
            else
            {
                codes.AddOrUpdate(JsonNode.Parse(body)!["error_code"]!.GetValue<string>(), 1, (_, n) => n + 1);
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {Count} values were not answered as expected:\n{string.Join('\n', failures.Take(10))}");
        Assert.Equal(Count, viaHeader + viaCookie);
        Assert.True(viaHeader >= 1500, $"only {viaHeader} values went in the Authorization header");
        Assert.True(viaCookie >= 100, $"only {viaCookie} values went in the cookie");
        var seen = string.Join(", ", codes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}"));
        Assert.True(Descriptions.Keys.All(codes.ContainsKey), $"not every code was provoked: {seen}");
    }

    /// <summary>Why a response is not a listed 403, or null when it is one.</summary>
    private static string? Problem(HttpStatusCode status, string body)
    {
        if (status != HttpStatusCode.Forbidden)
        {
            return "status";
        }

        JsonNode? json;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return "body is not JSON";
        }

        if (json is not JsonObject error || error.Count != 3)
        {
            return "body shape";
        }

        var code = error["error_code"]?.GetValue<string>() ?? "";
        if (!Descriptions.TryGetValue(code, out var description))
        {
            return "unlisted code";
        }

        if (!description.IsMatch(error["desc"]?.GetValue<string>() ?? ""))
        {
            return "desc";
        }

        return error["auth_success"]?.GetValue<bool>() == (code == "insufficient_permissions") ? null : "auth_success";
    }

    private (string Kind, string Credential, bool AsCookie) Generate(Random random, int index)
    {
        var (kind, credential) = (index % 11) switch
        {
            0 => ("truncated", Bearer(Truncate(random, Valid(random)))),
            1 => ("stranger", Bearer(_keys.Es256(Claims(random), keyId: Pick(random, [_keys.EcKeyId, _keys.RsaKeyId, "stranger-" + random.Next(100)]), key: _keys.Stranger))),
            2 => ("alg-none", Bearer(AlgNone(random))),
            3 => ("huge", Bearer(Huge(random))),
            4 => ("non-ascii", NonAsciiValue(random)),
            5 => ("random-bytes", RandomBytes(random)),
            6 => ("mutated-characters", Bearer(MutateCharacters(random, Valid(random)))),
            7 => ("claims", Bearer(SignedWithRandomClaims(random))),
            8 => ("header", Bearer(SignedWithRandomHeader(random))),
            9 => ("structure", Structure(random)),
            _ => ("spliced", Bearer(Splice(random))),
        };
        var headerSafe = credential.All(c => c is >= ' ' and <= '~');
        return (kind, credential, !headerSafe || index % 17 == 0);
    }

    private string Valid(Random random) => random.Next(2) == 0 ? _keys.Es256(Claims(random)) : _keys.Rs256(Claims(random));

    private static string Truncate(Random random, string token) => token[..random.Next(0, token.Length)];

    private static string Bearer(string token) => "Bearer " + token;

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static JsonObject Claims(Random random)
    {
        var permissions = Enumerable.Range(0, random.Next(4)).Select(_ => Pick(random, SafePermissions));
        return TestKeys.Claims(permissions, subject: random.Next(2) == 0 ? NextGuid(random).ToString() : "service-" + random.Next(1000));
    }

    private string AlgNone(Random random)
    {
        var header = new JsonObject { ["alg"] = Pick(random, ["none", "None", "NONE", "nOnE"]), ["typ"] = "JWT" };
        if (random.Next(3) > 0)
        {
            header["kid"] = Pick(random, [_keys.EcKeyId, _keys.RsaKeyId]);
        }

        var signature = random.Next(2) == 0 ? "" : Base64Url.Encode(NextBytes(random, random.Next(1, 80)));
        return $"{TestKeys.SigningInput(header, Claims(random))}.{signature}";
    }

    private string Huge(Random random)
    {
        var length = random.Next(JwtValidator.MaxTokenLength + 1, 24 * 1024);
        if (random.Next(2) == 0)
        {
            var claims = Claims(random);
            claims["pad"] = new string('x', length * 3 / 4);
            return _keys.Es256(claims);
        }

        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
        return string.Create(length, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }

    private string NonAsciiValue(Random random)
    {
        if (random.Next(4) == 0)
        {
            return string.Concat(Enumerable.Range(0, random.Next(1, 40)).Select(_ => Pick(random, NonAscii)));
        }

        var value = Bearer(Valid(random));
        for (var i = random.Next(1, 5); i > 0; i--)
        {
            var at = random.Next(value.Length + 1);
            value = random.Next(2) == 0 || at == value.Length
                ? value.Insert(at, Pick(random, NonAscii))
                : value[..at] + Pick(random, NonAscii) + value[(at + 1)..];
        }

        return value;
    }

    private static string RandomBytes(Random random)
    {
        var bytes = NextBytes(random, random.Next(1, 300));
        var text = Encoding.Latin1.GetString(bytes);
        return random.Next(2) == 0 ? Bearer(text) : text;
    }

    private static string MutateCharacters(Random random, string token)
    {
        var characters = token.ToCharArray();
        const string Replacements = "ABCxyz019-_.=+/ ~!\"%";
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            characters[random.Next(characters.Length)] = Replacements[random.Next(Replacements.Length)];
        }

        return new string(characters);
    }

    private string SignedWithRandomClaims(Random random)
    {
        var claims = Claims(random);
        foreach (var name in new[] { "exp", "nbf", "iat", "ver", "token_type", "permissions", "aud", "iss", "sub" })
        {
            switch (random.Next(12))
            {
                case 0:
                    claims.Remove(name);
                    break;
                case 1:
                    claims[name] = RandomJson(random, depth: 0);
                    break;
                case 2:
                    claims[name] = PlausibleValue(random, name);
                    break;
            }
        }

        return random.Next(2) == 0 ? _keys.Es256(claims) : _keys.Rs256(claims);
    }

    private string SignedWithRandomHeader(Random random)
    {
        var header = new JsonObject();
        if (random.Next(6) > 0)
        {
            header["alg"] = random.Next(4) > 0 ? Pick(random, ["ES256", "RS256", "HS256", "none", "PS256", "ES384"]) : RandomJson(random, depth: 0);
        }

        if (random.Next(6) > 0)
        {
            header["kid"] = random.Next(4) > 0 ? Pick(random, [_keys.EcKeyId, _keys.RsaKeyId, "kid-" + random.Next(50), ""]) : RandomJson(random, depth: 0);
        }

        if (random.Next(3) == 0)
        {
            header["typ"] = RandomJson(random, depth: 0);
        }

        return random.Next(2) == 0 ? _keys.Es256(Claims(random), header: header) : _keys.Rs256(Claims(random), header: header);
    }

    private static string Structure(Random random)
    {
        var segments = Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(3) switch
        {
            0 => Base64Url.Encode(Encoding.UTF8.GetBytes(RandomJson(random, depth: 0)?.ToJsonString() ?? "null")),
            1 => Base64Url.Encode(NextBytes(random, random.Next(0, 40))),
            _ => Base64Url.Encode(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("[", random.Next(1, 40))))),
        });
        var scheme = Pick(random, ["Bearer ", "bearer ", "BEARER ", "Bearer  ", "Basic ", "", "Bearer\t", "Token "]);
        return scheme + string.Join('.', segments);
    }

    private string Splice(Random random)
    {
        var parts = Enumerable.Range(0, 3).Select(_ => Valid(random).Split('.')).ToArray();
        var forged = _keys.Es256(Claims(random), key: _keys.Stranger).Split('.');
        return $"{Pick(random, [parts[0][0], forged[0]])}.{Pick(random, [parts[1][1], forged[1]])}.{Pick(random, [parts[2][2], forged[2], parts[0][2]])}";
    }

    /// <summary>A value of the claim's own type that may well be wrong: a past <c>exp</c>, another issuer, version 2.</summary>
    private static JsonNode? PlausibleValue(Random random, string claim)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return claim switch
        {
            "exp" => now + random.Next(-100_000, 100_000),
            "nbf" or "iat" => now + random.Next(-3600, 3600),
            "ver" => random.Next(0, 4),
            "token_type" => Pick(random, ["access", "refresh", "id", "Access"]),
            "iss" => Pick(random, [TestKeys.Issuer, "https://other.test", ""]),
            "aud" => random.Next(2) == 0 ? Pick(random, [TestKeys.Audience, "other-api"]) : new JsonArray("other-api", Pick(random, [TestKeys.Audience, "x"])),
            "permissions" => new JsonArray([.. Enumerable.Range(0, random.Next(4)).Select(_ => (JsonNode?)Pick(random, SafePermissions))]),
            _ => NextGuid(random).ToString(),
        };
    }

    private static JsonNode? RandomJson(Random random, int depth) => random.Next(depth > 2 ? 9 : 12) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 => JsonValue.Create(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + random.Next(-7200, 7200)),
        3 => JsonValue.Create(Pick(random, new[] { 0d, -1d, 1d, 2d, 1.5, 1e300, -1e300, long.MaxValue })),
        4 => JsonValue.Create(Pick(random, ["access", "refresh", "", TestKeys.Issuer, TestKeys.Audience, "1", "inv:*"])),
        5 => JsonValue.Create(NextGuid(random).ToString()),
        6 => JsonValue.Create(new string('z', random.Next(0, 200))),
        7 => JsonValue.Create(Pick(random, NonAscii)),
        8 => JsonValue.Create(random.Next()),
        9 => new JsonArray([.. Enumerable.Range(0, random.Next(3)).Select(_ => RandomJson(random, depth + 1))]),
        10 => new JsonArray([.. Enumerable.Range(0, random.Next(3)).Select(_ => (JsonNode?)Pick(random, SafePermissions))]),
        _ => new JsonObject { ["a"] = RandomJson(random, depth + 1) },
    };

    private static byte[] NextBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static Guid NextGuid(Random random) => new(NextBytes(random, 16));

    private static string Shorten(string value) => value.Length <= 200 ? value : $"{value[..200]}... ({value.Length} chars)";
}
