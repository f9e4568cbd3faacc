using System.Net;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Auth;

/// <summary>The credential in a cookie named <c>Authorization</c>, holding what the header would hold.</summary>
public sealed class CookieCredentialTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Theory]
    [InlineData("Authorization=Bearer {jwt}")]
    [InlineData("Authorization=Bearer%20{jwt}")]
    [InlineData("Authorization={jwt}")]
    [InlineData("Authorization=\"Bearer {jwt}\"")]
    [InlineData("theme=dark; Authorization=Bearer {jwt}; session=abc")]
    public async Task Cookie_ValidToken_IsAccepted(string cookie)
    {
        var response = await _client.SendAuthAsync(HttpMethod.Get, AuthHttp.ProbePath, authorization: null, cookie.Replace("{jwt}", Token(), StringComparison.Ordinal));

        AuthHttp.ProbeAccepted(response);
    }

    [Fact]
    public async Task Cookie_ExpiredToken_Returns403Expired()
    {
        var claims = TestKeys.Claims([AuthHttp.ProbePermission]);
        claims["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;

        var response = await _client.SendAuthAsync(HttpMethod.Get, AuthHttp.ProbePath, authorization: null, $"Authorization=Bearer {fixture.Keys.Es256(claims)}");

        AuthHttp.Rejected("auth_token_expired", AuthHttp.Expired, response);
    }

    [Fact]
    public async Task Cookie_TokenWithoutThePermission_Returns403InsufficientPermissions()
    {
        var token = fixture.Keys.Rs256(TestKeys.Claims(["inv:catalog:write"]));

        var response = await _client.SendAuthAsync(HttpMethod.Get, AuthHttp.ProbePath, authorization: null, $"Authorization=Bearer {token}");

        AuthHttp.Forbidden(response);
    }

    [Theory]
    [InlineData("Authorization=")]
    [InlineData("Authorization=Bearer%20")]
    [InlineData("Authorization=Bearer not-a-token")]
    [InlineData("authorization=Bearer {jwt}")]
    [InlineData("Authorization2=Bearer {jwt}")]
    public async Task Cookie_EmptyOrNotAJwtOrAnotherName_Returns403NotJwt(string cookie)
    {
        var response = await _client.SendAuthAsync(HttpMethod.Get, AuthHttp.ProbePath, authorization: null, cookie.Replace("{jwt}", Token(), StringComparison.Ordinal));

        AuthHttp.Rejected("auth_not_jwt", AuthHttp.NotJwt, response);
    }

    [Fact]
    public async Task Cookie_WithAHeaderToo_TheHeaderDecides()
    {
        var expired = TestKeys.Claims([AuthHttp.ProbePermission]);
        expired["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;

        var badHeader = await _client.SendAuthAsync(HttpMethod.Get, AuthHttp.ProbePath, "Bearer " + fixture.Keys.Es256(expired), $"Authorization=Bearer {Token()}");
        var badCookie = await _client.SendAuthAsync(HttpMethod.Get, AuthHttp.ProbePath, "Bearer " + Token(), "Authorization=Bearer garbage");

        AuthHttp.Rejected("auth_token_expired", AuthHttp.Expired, badHeader);
        AuthHttp.ProbeAccepted(badCookie);
    }

    [Fact]
    public async Task Cookie_PlayersOwnToken_ReadsTheOwnEntitlements()
    {
        var player = Guid.NewGuid();
        var token = fixture.Keys.Es256(TestKeys.Claims([], subject: player.ToString()));

        var own = await _client.SendAuthAsync(HttpMethod.Get, $"/inventory/v1/player/{player}/entitlements", authorization: null, $"Authorization=Bearer {token}");
        var other = await _client.SendAuthAsync(HttpMethod.Get, $"/inventory/v1/player/{Guid.NewGuid()}/entitlements", authorization: null, $"Authorization=Bearer {token}");

        JsonAssert.Error(HttpStatusCode.NotFound, "player_not_found", $"No player with player_uuid {player}.", own);
        AuthHttp.Forbidden(other);
    }

    private string Token() => fixture.Keys.Es256(TestKeys.Claims([AuthHttp.ProbePermission]));
}
