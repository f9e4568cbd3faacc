using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Notifications;

namespace Entitlements.Tests.Auth;

/// <summary>
/// A browser sends the <c>Authorization</c> cookie with what a page of another site makes it send (a
/// text/plain fetch, a form, a WebSocket), and says so in <c>Origin</c>: the cookie is refused from any
/// origin but the gateway's own and <c>Auth:AllowedOrigins</c>, before the route runs.
/// </summary>
public sealed class CookieOriginTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    private const string Refusal = "The Authorization cookie is not accepted from this Origin: send the token in the Authorization header";

    [Theory]
    [InlineData("https://attacker.example")]
    [InlineData("null")]
    [InlineData("http://game.example")]
    [InlineData("https://game.example:8443")]
    [InlineData("https://game.example.attacker.example")]
    public async Task Consume_CookieFromAForeignOrigin_Returns403AndConsumesNothing(string origin)
    {
        var player = await fixture.Operator.CreatePlayerAsync();
        await fixture.Operator.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        var response = await ConsumeAsync(player.Uuid, $"Authorization=Bearer {PlayerToken(player.Uuid)}", origin);

        AuthHttp.Rejected("auth_cookie_foreign_origin", Refusal, response);
        Assert.Equal(100, Assert.Single(await fixture.Operator.EntitlementsOkAsync(player.Uuid))!["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Consume_CookieFromAnotherPortOrSchemeOfTheGatewaysHost_Returns403()
    {
        var player = await fixture.Operator.CreatePlayerAsync();
        var own = OwnOrigin();
        var cookie = $"Authorization=Bearer {PlayerToken(player.Uuid)}";

        var otherPort = await ConsumeAsync(player.Uuid, cookie, $"http://{own.Host}:{(own.Port == 1 ? 2 : 1)}");
        var otherScheme = await ConsumeAsync(player.Uuid, cookie, $"https://{own.Host}:{own.Port}");

        AuthHttp.Rejected("auth_cookie_foreign_origin", Refusal, otherPort);
        AuthHttp.Rejected("auth_cookie_foreign_origin", Refusal, otherScheme);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{own}")]
    [InlineData("{OWN}")]
    [InlineData("https://game.example")]
    [InlineData("https://GAME.example:443")]
    public async Task Consume_CookieWithoutAnOriginOrFromTheOwnOrAnAllowedOne_Consumes(string? origin)
    {
        var player = await fixture.Operator.CreatePlayerAsync();
        await fixture.Operator.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var own = OwnOrigin().GetLeftPart(UriPartial.Authority);

        var response = await ConsumeAsync(
            player.Uuid,
            $"Authorization=Bearer {PlayerToken(player.Uuid)}",
            origin?.Replace("{own}", own, StringComparison.Ordinal).Replace("{OWN}", own.ToUpperInvariant(), StringComparison.Ordinal));

        Assert.True(response.Status == HttpStatusCode.OK, $"Origin {origin}: {response}");
        Assert.Equal(70, response.Json["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Consume_HeaderFromAForeignOrigin_Consumes()
    {
        var player = await fixture.Operator.CreatePlayerAsync();
        await fixture.Operator.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));

        var response = await fixture.Client.SendAsync(HttpMethod.Post, ConsumePath(player.Uuid), ConsumeBody(), request =>
        {
            request.Headers.Authorization = new("Bearer", PlayerToken(player.Uuid));
            request.Headers.Add("Origin", "https://attacker.example");
        });

        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
    }

    [Fact]
    public async Task Sse_CookieFromAForeignOrigin_Returns403BeforeTheStreamStarts()
    {
        var player = Guid.NewGuid();

        var response = await fixture.Client.SendAsync(HttpMethod.Get, PushRoutes.PlayerSse(player), body: null, request =>
        {
            request.Headers.Add("Cookie", $"Authorization=Bearer {PlayerToken(player)}");
            request.Headers.Add("Origin", "https://attacker.example");
            request.Headers.Accept.ParseAdd("text/event-stream");
        });

        AuthHttp.Rejected("auth_cookie_foreign_origin", Refusal, response);
    }

    [Fact]
    public async Task WebSocket_CookieFromAForeignOrigin_IsRefusedWith403AndFromTheOwnOriginConnects()
    {
        var player = Guid.NewGuid();
        var cookie = $"Authorization=Bearer {PlayerToken(player)}";
        var path = PushRoutes.PlayerWebSocket(player);

        var foreign = await PushSocket.RefusedAsync(fixture.Client.BaseAddress!, path, token: null, cookie, origin: "https://attacker.example");
        await using var own = await PushSocket.ConnectAsync(fixture.Client.BaseAddress!, path, token: null, cookie, origin: OwnOrigin().GetLeftPart(UriPartial.Authority));

        Assert.Equal(HttpStatusCode.Forbidden, foreign);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, own.Socket.State);
    }

    private Uri OwnOrigin() => fixture.Client.BaseAddress!;

    private string PlayerToken(Guid player) => fixture.Keys.Es256(TestKeys.Claims([], subject: player.ToString()));

    private static string ConsumePath(Guid player) => $"/inventory/v1/player/{player}/entitlements/consume";

    private static string ConsumeBody() =>
        new JsonObject { ["item_id"] = "gems", ["quantity"] = 30, ["operation_id"] = Unique.Name("op") }.ToJsonString();

    /// <summary>The request a page's <c>fetch(..., {credentials: "include"})</c> makes: the cookie, and the page's origin when given.</summary>
    private Task<ApiResponse> ConsumeAsync(Guid player, string cookie, string? origin) =>
        fixture.Client.SendAsync(HttpMethod.Post, ConsumePath(player), ConsumeBody(), request =>
        {
            request.Headers.Add("Cookie", cookie);
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

        });
}
