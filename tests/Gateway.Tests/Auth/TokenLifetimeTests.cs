using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Auth;

/// <summary>
/// <c>Auth:MaxTokenLifetime</c> (366 days by default): a token whose <c>exp</c> lies further ahead than that
/// and the clock skew (30 s) is refused as a bad <c>exp</c> on every bearer surface, a cached token included.
/// Such tokens were accepted before (development tokens minted with a <c>--ttl</c> of thousands of years).
/// </summary>
public sealed class TokenLifetimeTests(TokenLifetimeGatewayFixture fixture) : IClassFixture<TokenLifetimeGatewayFixture>
{
    /// <summary>366 days and the 30 s skew, in seconds: the furthest ahead an <c>exp</c> may lie.</summary>
    private const long Bound = (366L * 24 * 3600) + 30;

    private readonly HttpClient _client = fixture.Client;
    private readonly TestKeys _keys = fixture.Keys;

    private long Now => fixture.Clock.GetUtcNow().ToUnixTimeSeconds();

    [Fact]
    public async Task RallyHere_ExpOneSecondInsideTheBound_IsAccepted()
    {
        var response = await _client.ProbeAsync(_keys.Es256(Claims(Now + Bound - 1)));

        AuthHttp.ProbeAccepted(response);
    }

    [Fact]
    public async Task RallyHere_ExpOneSecondOverTheBound_IsRefusedAsAnInvalidExp()
    {
        var es256 = await _client.ProbeAsync(_keys.Es256(Claims(Now + Bound + 1)));
        var rs256 = await _client.ProbeAsync(_keys.Rs256(Claims(Now + Bound + 1)));

        AuthHttp.Rejected("auth_token_invalid_claim", AuthHttp.InvalidClaim("exp"), es256);
        AuthHttp.Rejected("auth_token_invalid_claim", AuthHttp.InvalidClaim("exp"), rs256);
    }

    /// <summary>A development token of the old unbounded <c>--ttl</c> (10,000,000 days).</summary>
    [Fact]
    public async Task RallyHere_ExpThousandsOfYearsAhead_IsRefusedAsAnInvalidExp()
    {
        var response = await _client.ProbeAsync(_keys.Es256(Claims(Now + (10_000_000L * 24 * 3600))));

        AuthHttp.Rejected("auth_token_invalid_claim", AuthHttp.InvalidClaim("exp"), response);
    }

    /// <summary>
    /// A token accepted and cached is held to the bound on every use: with the clock stepped back two seconds
    /// its <c>exp</c> lies one second too far ahead, and the cached entry is refused as a fresh check would.
    /// </summary>
    [Fact]
    public async Task Cache_TokenOverTheBoundOnceTheClockIsSetBack_IsRefusedFromTheCache()
    {
        var start = fixture.Clock.Now;
        var token = _keys.Es256(Claims(Now + Bound - 1));
        using var counters = new AuthCounters(fixture);
        var fresh = await _client.ProbeAsync(token);
        var cached = await _client.ProbeAsync(token);
        try
        {
            fixture.Clock.Now = start.AddSeconds(-2);

            var refused = await _client.ProbeAsync(token);

            AuthHttp.ProbeAccepted(fresh);
            AuthHttp.ProbeAccepted(cached);
            AuthHttp.Rejected("auth_token_invalid_claim", AuthHttp.InvalidClaim("exp"), refused);
            Assert.Equal(1, counters.SignatureChecks);
            Assert.Equal(2, counters.CacheHits);
        }
        finally
        {
            fixture.Clock.Now = start;
        }
    }

    [Fact]
    public async Task Push_ExpOneSecondOverTheBound_IsRefusedBeforeTheStreamOpens()
    {
        var player = Guid.NewGuid();
        var claims = TestKeys.Claims([], subject: player.ToString());
        claims["exp"] = Now + Bound + 1;
        var token = _keys.Es256(claims);

        var sse = await _client.SendAuthAsync(HttpMethod.Get, $"/notifications/v1/player/{player}/sse", "Bearer " + token);
        var webSocket = await _client.SendAuthAsync(HttpMethod.Get, $"/notifications/v1/player/{player}/ws", "Bearer " + token);

        AuthHttp.Rejected("auth_token_invalid_claim", AuthHttp.InvalidClaim("exp"), sse);
        AuthHttp.Rejected("auth_token_invalid_claim", AuthHttp.InvalidClaim("exp"), webSocket);
    }

    [Fact]
    public async Task DashboardLogin_ExpOneSecondOverTheBound_IsRefusedAndSetsNoCookie()
    {
        var inside = TestKeys.Claims(["ops:dashboard"]);
        inside["exp"] = Now + Bound - 1;
        var over = TestKeys.Claims(["ops:dashboard"]);
        over["exp"] = Now + Bound + 1;
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _client.BaseAddress };

        using var insideForm = new FormUrlEncodedContent([new("token", _keys.Es256(inside))]);
        using var overForm = new FormUrlEncodedContent([new("token", _keys.Es256(over))]);

        using var accepted = await client.PostAsync(new Uri("/dashboard/login", UriKind.Relative), insideForm);
        using var refused = await client.PostAsync(new Uri("/dashboard/login", UriKind.Relative), overForm);

        Assert.Equal(HttpStatusCode.SeeOther, accepted.StatusCode);
        Assert.False(refused.Headers.Contains("Set-Cookie"));
        AuthHttp.Rejected(
            "auth_token_invalid_claim",
            AuthHttp.InvalidClaim("exp"),
            new ApiResponse(refused.StatusCode, await refused.Content.ReadAsStringAsync(), refused.Headers, refused.Content.Headers));
    }

    private static JsonObject Claims(long exp)
    {
        var claims = TestKeys.Claims([AuthHttp.ProbePermission]);
        claims["exp"] = exp;
        return claims;
    }
}
