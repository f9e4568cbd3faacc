using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;

namespace Entitlements.Tests.Auth;

/// <summary>
/// One crafted token per RallyHere error code, over real HTTP: every failure is a 403 <c>HzApiErrorModel</c>
/// with the precise code, <c>auth_success</c> false for a bad token and true for a missing permission.
/// </summary>
public sealed class AuthErrorCodeTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly TestKeys _keys = fixture.Keys;

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [Fact]
    public async Task Token_ValidEs256_IsAccepted()
    {
        var response = await _client.ProbeAsync(_keys.Es256(Claims()));

        AuthHttp.ProbeAccepted(response);
    }

    [Fact]
    public async Task Token_ValidRs256_IsAccepted()
    {
        var response = await _client.ProbeAsync(_keys.Rs256(Claims()));

        AuthHttp.ProbeAccepted(response);
    }

    [Fact]
    public async Task Token_AudienceArrayHoldingOurs_IsAccepted()
    {
        var claims = Claims();
        claims["aud"] = new JsonArray("another-api", TestKeys.Audience);

        var response = await _client.ProbeAsync(_keys.Es256(claims));

        AuthHttp.ProbeAccepted(response);
    }

    [Fact]
    public async Task Token_LowerCaseSchemeAndSurroundingSpaces_IsAccepted()
    {
        var response = await _client.SendAuthAsync(HttpMethod.Get, AuthHttp.ProbePath, $"bearer   {_keys.Es256(Claims())}  ");

        AuthHttp.ProbeAccepted(response);
    }

    [Theory]
    [InlineData("exp", -10)]
    [InlineData("nbf", 10)]
    public async Task Token_TimeClaimWithinTheDefaultClockSkew_IsAccepted(string claim, int secondsFromNow)
    {
        var claims = Claims();
        claims[claim] = Now + secondsFromNow;

        var response = await _client.ProbeAsync(_keys.Es256(claims));

        AuthHttp.ProbeAccepted(response);
    }

    [Fact]
    public async Task Token_NoCredentials_Returns403NotJwt()
    {
        var response = await _client.SendAuthAsync(HttpMethod.Get, AuthHttp.ProbePath, authorization: null);

        AuthHttp.Rejected("auth_not_jwt", AuthHttp.NotJwt, response);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNzd29yZA==")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer not-a-token")]
    [InlineData("Bearer aGVhZGVy.cGF5bG9hZA")]
    [InlineData("Bearer a.b.c.d")]
    [InlineData("Bearer .cGF5bG9hZA.c2ln")]
    [InlineData("Bearer aGVhZGVy..c2ln")]
    [InlineData("Token eyJhbGciOiJFUzI1NiJ9.e30.c2ln")]
    public async Task Token_CredentialThatIsNoJwt_Returns403NotJwt(string authorization)
    {
        var response = await _client.SendAuthAsync(HttpMethod.Get, AuthHttp.ProbePath, authorization);

        AuthHttp.Rejected("auth_not_jwt", AuthHttp.NotJwt, response);
    }

    [Fact]
    public async Task Token_ValidJwtWithoutTheBearerScheme_Returns403NotJwt()
    {
        var response = await _client.SendAuthAsync(HttpMethod.Get, AuthHttp.ProbePath, _keys.Es256(Claims()));

        AuthHttp.Rejected("auth_not_jwt", AuthHttp.NotJwt, response);
    }

    [Theory]
    [InlineData("""{"alg":"none","typ":"JWT","kid":"ec-1"}""")]
    [InlineData("""{"alg":"HS256","typ":"JWT","kid":"rsa-1"}""")]
    [InlineData("""{"alg":"RS512","typ":"JWT","kid":"rsa-1"}""")]
    [InlineData("""{"alg":"es256","typ":"JWT","kid":"ec-1"}""")]
    [InlineData("""{"alg":null,"typ":"JWT","kid":"ec-1"}""")]
    [InlineData("""{"typ":"JWT","kid":"ec-1"}""")]
    [InlineData("""{"alg":"ES256","typ":"JWT"}""")]
    [InlineData("""{"alg":"ES256","typ":"JWT","kid":""}""")]
    [InlineData("""{"alg":"ES256","typ":"JWT","kid":1}""")]
    public async Task Token_HeaderWithMissingOrUnsupportedAlgOrKid_Returns403MalformedAccess(string header)
    {
        var response = await _client.ProbeAsync(_keys.Es256(Claims(), header: JsonNode.Parse(header)!.AsObject()));

        AuthHttp.Rejected("auth_malformed_access", AuthHttp.Malformed, response);
    }

    [Fact]
    public async Task Token_AlgNoneWithoutSignature_Returns403MalformedAccess()
    {
        var unsigned = TestKeys.SigningInput(new JsonObject { ["alg"] = "none", ["kid"] = _keys.EcKeyId }, Claims()) + ".";

        var response = await _client.ProbeAsync(unsigned);

        AuthHttp.Rejected("auth_malformed_access", AuthHttp.Malformed, response);
    }

    [Fact]
    public async Task Token_Hs256SignedWithThePublicRsaKey_Returns403MalformedAccess()
    {
        var header = new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = _keys.RsaKeyId };

        var response = await _client.ProbeAsync(TestKeys.Hs256(header, Claims(), _keys.RsaPublicKeyBytes()));

        AuthHttp.Rejected("auth_malformed_access", AuthHttp.Malformed, response);
    }

    [Fact]
    public async Task Token_Exactly16KiB_IsAccepted()
    {
        var token = TokenOfLength(JwtValidator.MaxTokenLength);

        var response = await _client.ProbeAsync(token);

        Assert.Equal(16 * 1024, token.Length);
        AuthHttp.ProbeAccepted(response);
    }

    [Fact]
    public async Task Token_OneCharacterOver16KiB_Returns403MalformedAccess()
    {
        var token = TokenOfLength((16 * 1024) + 1);

        var response = await _client.ProbeAsync(token);

        AuthHttp.Rejected("auth_malformed_access", AuthHttp.Malformed, response);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("...")]
    public async Task Token_Over16KiBWithoutThreeParts_Returns403NotJwt(string dots)
    {
        // The order of docs/api.md, "Authentication": the shape (three dot-separated parts) is checked before the length.
        var credential = new string('A', (16 * 1024) + 1) + dots;

        var response = await _client.SendAuthAsync(HttpMethod.Get, AuthHttp.ProbePath, "Bearer " + credential);

        AuthHttp.Rejected("auth_not_jwt", AuthHttp.NotJwt, response);
    }

    [Theory]
    [InlineData("exp", "\"tomorrow\"")]
    [InlineData("exp", "null")]
    [InlineData("exp", "[1]")]
    [InlineData("nbf", "\"now\"")]
    [InlineData("iat", "true")]
    [InlineData("sub", "42")]
    [InlineData("iss", "[\"https://issuer.test\"]")]
    [InlineData("aud", "7")]
    [InlineData("aud", "[\"entitlements-api\", 7]")]
    [InlineData("token_type", "{}")]
    [InlineData("permissions", "\"inv:*\"")]
    [InlineData("permissions", "[\"inv:*\", null]")]
    [InlineData("ver", "\"1\"")]
    [InlineData("ver", "null")]
    public async Task Token_ClaimOfTheWrongJsonType_Returns403TokenFormat(string claim, string json)
    {
        var claims = Claims();
        claims[claim] = JsonNode.Parse(json);

        var response = await _client.ProbeAsync(_keys.Es256(claims));

        AuthHttp.Rejected("auth_token_format", AuthHttp.WrongType(claim), response);
    }

    [Fact]
    public async Task Token_WithoutExp_Returns403TokenFormat()
    {
        var claims = Claims();
        claims.Remove("exp");

        var response = await _client.ProbeAsync(_keys.Rs256(claims));

        AuthHttp.Rejected("auth_token_format", AuthHttp.WrongType("exp"), response);
    }

    [Fact]
    public async Task Token_UnknownKid_Returns403InvalidKeyId()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var response = await _client.ProbeAsync(_keys.Es256(Claims(), keyId: "never-published", key: key));

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, response);
    }

    [Theory]
    [InlineData("stranger-key")]
    [InlineData("tampered-payload")]
    [InlineData("rs256-header-on-the-ec-key")]
    [InlineData("es256-header-on-the-rsa-key")]
    [InlineData("empty-signature")]
    [InlineData("truncated-signature")]
    [InlineData("signature-not-base64url")]
    [InlineData("signature-with-a-space")]
    [InlineData("signature-with-other-unused-bits")]
    public async Task Token_SignatureThatDoesNotVerify_Returns403SignatureInvalid(string how)
    {
        var valid = _keys.Es256(Claims());
        var parts = valid.Split('.');
        var token = how switch
        {
            "stranger-key" => _keys.Es256(Claims(), key: _keys.Stranger),
            "tampered-payload" => $"{parts[0]}.{Encode(Claims(["inv:*"]))}.{parts[2]}",
            "rs256-header-on-the-ec-key" => _keys.Rs256(Claims(), keyId: _keys.EcKeyId),
            "es256-header-on-the-rsa-key" => _keys.Es256(Claims(), keyId: _keys.RsaKeyId),
            "empty-signature" => $"{parts[0]}.{parts[1]}.",
            "truncated-signature" => valid[..^10],
            // The same signature bytes spelled another way: the runtime's base64 decoder would take both.
            "signature-with-a-space" => $"{parts[0]}.{parts[1]}.{parts[2][..20]} {parts[2][20..]}",
            "signature-with-other-unused-bits" => $"{parts[0]}.{parts[1]}.{parts[2][..^1]}{OtherUnusedBits(parts[2][^1])}",
            _ => $"{parts[0]}.{parts[1]}.{parts[2][..40]}+/{parts[2][42..]}",
        };

        var response = await _client.ProbeAsync(token);

        AuthHttp.Rejected("auth_token_sig_invalid", AuthHttp.SignatureInvalid, response);
    }

    [Fact]
    public async Task Token_ExpiredBeyondTheClockSkew_Returns403Expired()
    {
        var claims = Claims();
        claims["exp"] = Now - 120;

        var response = await _client.ProbeAsync(_keys.Es256(claims));

        AuthHttp.Rejected("auth_token_expired", AuthHttp.Expired, response);
    }

    [Theory]
    [InlineData("iss", "\"https://someone-else.test\"")]
    [InlineData("iss", null)]
    [InlineData("aud", "\"another-api\"")]
    [InlineData("aud", "[\"another-api\"]")]
    [InlineData("aud", null)]
    [InlineData("nbf", "future")]
    public async Task Token_ClaimWithAWrongValue_Returns403InvalidClaim(string claim, string? json)
    {
        var claims = Claims();
        if (json is null)
        {
            claims.Remove(claim);
        }
        else
        {
            claims[claim] = json == "future" ? Now + 600 : JsonNode.Parse(json);
        }

        var response = await _client.ProbeAsync(_keys.Es256(claims));

        AuthHttp.Rejected("auth_token_invalid_claim", AuthHttp.InvalidClaim(claim), response);
    }

    [Theory]
    [InlineData("refresh")]
    [InlineData("id")]
    [InlineData("Access")]
    [InlineData("")]
    public async Task Token_TokenTypeOtherThanAccess_Returns403InvalidType(string tokenType)
    {
        var claims = Claims();
        claims["token_type"] = tokenType;

        var response = await _client.ProbeAsync(_keys.Es256(claims));

        AuthHttp.Rejected("auth_token_invalid_type", AuthHttp.NotAccessToken, response);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999")]
    public async Task Token_VersionOtherThan1_Returns403InvalidVersion(string version)
    {
        var claims = Claims();
        claims["ver"] = JsonNode.Parse(version);

        var response = await _client.ProbeAsync(_keys.Es256(claims));

        AuthHttp.Rejected("auth_invalid_version", AuthHttp.BadVersion, response);
    }

    [Theory]
    [InlineData("header-not-base64url")]
    [InlineData("header-with-padding")]
    [InlineData("header-not-json")]
    [InlineData("header-json-array")]
    [InlineData("payload-json-string")]
    [InlineData("payload-not-utf8")]
    [InlineData("payload-nested-too-deep")]
    [InlineData("payload-truncated-json")]
    [InlineData("header-kid-not-utf8")]
    [InlineData("header-kid-escaped-lone-surrogate")]
    [InlineData("header-name-escaped-lone-surrogate")]
    [InlineData("signed-payload-sub-escaped-lone-surrogate")]
    [InlineData("signed-payload-permission-not-utf8")]
    [InlineData("signed-payload-escaped-lone-surrogate-name-twice")]
    public async Task Token_HeaderOrPayloadNotABase64UrlJsonObject_Returns403Unknown(string how)
    {
        var parts = _keys.Es256(Claims()).Split('.');
        var token = how switch
        {
            "header-not-base64url" => $"e@J*.{parts[1]}.{parts[2]}",
            "header-with-padding" => $"{Base64Url.Encode(Encoding.UTF8.GetBytes("""{"alg":"ES256","kid":"ec-1"}"""))}==.{parts[1]}.{parts[2]}",
            "header-not-json" => $"{Encode("alg=ES256")}.{parts[1]}.{parts[2]}",
            "header-json-array" => $"{Encode("""["ES256","ec-1"]""")}.{parts[1]}.{parts[2]}",
            "payload-json-string" => $"{parts[0]}.{Encode("\"claims\"")}.{parts[2]}",
            "payload-not-utf8" => $"{parts[0]}.{NotUtf8}.{parts[2]}",
            "payload-nested-too-deep" => $"{parts[0]}.{Encode(string.Concat(Enumerable.Repeat("{\"a\":", 20)) + "1" + new string('}', 20))}.{parts[2]}",
            "payload-truncated-json" => $"{parts[0]}.{Encode("""{"exp": 1""")}.{parts[2]}",
            "header-kid-not-utf8" => $"{Base64Url.Encode([.. "{\"alg\":\"ES256\",\"kid\":\""u8, 0xC3, 0x28, .. "\"}"u8])}.{parts[1]}.{parts[2]}",
            "header-kid-escaped-lone-surrogate" => $"{Encode("""{"alg":"ES256","kid":"ec-1\ud800"}""")}.{parts[1]}.{parts[2]}",
            "header-name-escaped-lone-surrogate" => $"{Encode("""{"alg":"ES256","kid":"ec-1","\ud800":1}""")}.{parts[1]}.{parts[2]}",
            "signed-payload-sub-escaped-lone-surrogate" => _keys.Es256Raw(Header, Encoding.UTF8.GetBytes(Claims().ToJsonString().Replace("\"sub\":\"service-account\"", "\"sub\":\"\\udc00\"", StringComparison.Ordinal))),
            "signed-payload-escaped-lone-surrogate-name-twice" => _keys.Es256Raw(Header, Encoding.UTF8.GetBytes(Claims().ToJsonString()[..^1] + ",\"\\ud800\":1,\"\\ud800\":2}")),
            _ => _keys.Es256Raw(Header, PayloadWithPermissionBytes([0xFF, 0xFE])),
        };

        var response = await _client.ProbeAsync(token);

        AuthHttp.Rejected("auth_token_unknown", AuthHttp.Unparseable, response);
    }

    [Theory]
    [InlineData("header-alg-escaped-lone-surrogate")]
    [InlineData("header-name-escaped-lone-surrogate-alg-none")]
    [InlineData("payload-sub-escaped-lone-surrogate-alg-hs256")]
    [InlineData("payload-not-utf8-without-kid")]
    public async Task Token_UnreadableTextWithABadAlgOrKid_Returns403MalformedAccess(string how)
    {
        // The order of docs/api.md, "Authentication": the header's alg and kid are checked before the text is read.
        var parts = _keys.Es256(Claims()).Split('.');
        var loneSurrogateSub = Claims().ToJsonString().Replace("\"sub\":\"service-account\"", "\"sub\":\"\\udc00\"", StringComparison.Ordinal);
        var token = how switch
        {
            "header-alg-escaped-lone-surrogate" => $"{Encode("""{"alg":"ES256\ud800","kid":"ec-1"}""")}.{parts[1]}.{parts[2]}",
            "header-name-escaped-lone-surrogate-alg-none" => $"{Encode("""{"alg":"none","kid":"ec-1","\ud800":1}""")}.{parts[1]}.{parts[2]}",
            "payload-sub-escaped-lone-surrogate-alg-hs256" => $"{Encode("""{"alg":"HS256","kid":"ec-1"}""")}.{Encode(loneSurrogateSub)}.{parts[2]}",
            _ => $"{Encode("""{"alg":"ES256"}""")}.{NotUtf8}.{parts[2]}",
        };

        var response = await _client.ProbeAsync(token);

        AuthHttp.Rejected("auth_malformed_access", AuthHttp.Malformed, response);
    }

    /// <summary>
    /// Signed with the right key and otherwise valid. These were accepted, the last copy of a name winning:
    /// a token whose first <c>permissions</c> was empty carried the permissions of its second.
    /// </summary>
    [Theory]
    [InlineData("payload-permissions-twice")]
    [InlineData("payload-permissions-twice-one-escaped")]
    [InlineData("payload-sub-twice")]
    [InlineData("payload-name-twice-in-a-nested-object")]
    [InlineData("header-kid-twice")]
    [InlineData("header-alg-twice")]
    public async Task Token_WithANameTwiceInOneObject_Returns403MalformedAccess(string how)
    {
        var claims = Claims([]).ToJsonString();
        var permitted = $"\"{AuthHttp.ProbePermission}\"";
        var token = how switch
        {
            "payload-permissions-twice" => _keys.Es256Raw(Header, Encoding.UTF8.GetBytes(claims[..^1] + $",\"permissions\":[{permitted}]}}")),
            "payload-permissions-twice-one-escaped" => _keys.Es256Raw(Header, Encoding.UTF8.GetBytes(claims[..^1] + $",\"permission\\u0073\":[{permitted}]}}")),
            "payload-sub-twice" => _keys.Es256Raw(Header, Encoding.UTF8.GetBytes(Claims().ToJsonString()[..^1] + ",\"sub\":\"someone-else\"}")),
            "payload-name-twice-in-a-nested-object" => _keys.Es256Raw(Header, Encoding.UTF8.GetBytes(Claims().ToJsonString()[..^1] + ",\"ext\":{\"tier\":1,\"tier\":2}}")),
            "header-kid-twice" => _keys.Es256Raw(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","kid":"no-such-key","kid":"{{_keys.EcKeyId}}"}"""), Encoding.UTF8.GetBytes(Claims().ToJsonString())),
            _ => _keys.Es256Raw(Encoding.UTF8.GetBytes($$"""{"alg":"RS256","alg":"ES256","kid":"{{_keys.EcKeyId}}"}"""), Encoding.UTF8.GetBytes(Claims().ToJsonString())),
        };

        var response = await _client.ProbeAsync(token);

        AuthHttp.Rejected("auth_malformed_access", AuthHttp.Malformed, response);
    }

    [Fact]
    public async Task Token_ValidWithoutThePermission_Returns403InsufficientPermissionsWithAuthSuccess()
    {
        var response = await _client.ProbeAsync(_keys.Es256(Claims(["inv:catalog:write", "user:*"])));

        AuthHttp.Forbidden(response);
    }

    [Fact]
    public async Task Token_ExpiredWithWrongVersionAndBadSignature_Returns403SignatureInvalid()
    {
        var claims = Claims();
        claims["exp"] = Now - 3600;
        claims["ver"] = 2;
        claims["token_type"] = "refresh";

        var response = await _client.ProbeAsync(_keys.Es256(claims, key: _keys.Stranger));

        AuthHttp.Rejected("auth_token_sig_invalid", AuthHttp.SignatureInvalid, response);
    }

    [Fact]
    public async Task Token_ExpiredWithWrongIssuer_Returns403Expired()
    {
        var claims = Claims();
        claims["exp"] = Now - 3600;
        claims["iss"] = "https://someone-else.test";

        var response = await _client.ProbeAsync(_keys.Es256(claims));

        AuthHttp.Rejected("auth_token_expired", AuthHttp.Expired, response);
    }

    /// <summary><c>{"\xFF\xFE":1}</c>: JSON punctuation around bytes that are not UTF-8.</summary>
    private static byte[] Header => Encoding.UTF8.GetBytes("""{"alg":"ES256","typ":"JWT","kid":"ec-1"}""");

    /// <summary>Valid claims whose permissions end with one string made of <paramref name="bytes"/>, raw.</summary>
    private static byte[] PayloadWithPermissionBytes(byte[] bytes)
    {
        var json = Claims().ToJsonString();
        var at = json.IndexOf("\"inv:catalog:read\"", StringComparison.Ordinal) + "\"inv:catalog:read\"".Length;
        return [.. Encoding.UTF8.GetBytes(json[..at]), .. ",\""u8, .. bytes, .. "\""u8, .. Encoding.UTF8.GetBytes(json[at..])];
    }

    private static string NotUtf8 => Base64Url.Encode([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]);

    private static JsonObject Claims(string[]? permissions = null) => TestKeys.Claims(permissions ?? [AuthHttp.ProbePermission]);

    /// <summary>
    /// The base64url character after <paramref name="last"/> in its lowest bit: an ES256 signature's 64 bytes
    /// leave the last of its 86 characters 4 bits that carry nothing, so both decode to the same bytes.
    /// </summary>
    private static char OtherUnusedBits(char last)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return Alphabet[Alphabet.IndexOf(last, StringComparison.Ordinal) ^ 1];
    }

    private static string Encode(JsonObject claims) => Encode(claims.ToJsonString());

    private static string Encode(string text) => Base64Url.Encode(Encoding.UTF8.GetBytes(text));

    /// <summary>A valid ES256 token of exactly <paramref name="length"/> characters, padded with filler claims.</summary>
    private string TokenOfLength(int length)
    {
        for (var headerPad = 0; headerPad < 4; headerPad++)
        {
            var header = new JsonObject { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = _keys.EcKeyId, ["x"] = new string('h', headerPad) };
            var bare = _keys.Es256(Claims(), header: header).Length;
            for (var pad = (length - bare) * 3 / 4 - 16; pad <= (length - bare) * 3 / 4 + 16; pad++)
            {
                var claims = Claims();
                claims["pad"] = new string('p', Math.Max(0, pad));
                var token = _keys.Es256(claims, header: header);
                if (token.Length == length)
                {
                    return token;
                }
            }
        }

        throw new InvalidOperationException($"no token of length {length}");
    }
}
