using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Notifications;

namespace Entitlements.Tests.Auth;

/// <summary>
/// A browser sends the <c>Authorization</c> cookie with what a page of another site makes it send (a
/// text/plain fetch, a form, a WebSocket), and says so in <c>Origin</c>: the cookie is refused from any
/// origin but the gateway's own and <c>Auth:AllowedOrigins</c>, before the route runs. A listed origin's
/// pages may also read the answers: the gateway answers CORS for them (their preflights included, which
/// carry no credentials), and for no other origin.
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

    [Theory]
    [InlineData(AuthGatewayFixture.AllowedOrigin)]
    [InlineData("https://GAME.example:443")]
    public async Task Cors_GetWithTheCookieFromAListedOrigin_AllowsThePageToReadTheAnswer(string origin)
    {
        var player = await fixture.Operator.CreatePlayerAsync();

        var response = await fixture.Client.SendAsync(HttpMethod.Get, EntitlementsPath(player.Uuid), body: null, request =>
        {
            request.Headers.Add("Cookie", $"Authorization=Bearer {PlayerToken(player.Uuid)}");
            request.Headers.Add("Origin", origin);
        });

        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
        AssertAllowed(origin, response.Headers);
        Assert.Equal(["ETag", "Retry-After", "X-RequestId"], Values(response.Headers, "Access-Control-Expose-Headers"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
    }

    [Fact]
    public async Task Cors_RefusalOfACookieFromAListedOrigin_IsReadableByThePage()
    {
        var player = await fixture.Operator.CreatePlayerAsync();

        // The player's own token, for another player's entitlements.
        var response = await fixture.Client.SendAsync(HttpMethod.Get, EntitlementsPath(Guid.NewGuid()), body: null, request =>
        {
            request.Headers.Add("Cookie", $"Authorization=Bearer {PlayerToken(player.Uuid)}");
            request.Headers.Add("Origin", AuthGatewayFixture.AllowedOrigin);
        });

        AuthHttp.Forbidden(response);
        AssertAllowed(AuthGatewayFixture.AllowedOrigin, response.Headers);
    }

    [Fact]
    public async Task Cors_SseWithTheCookieFromAListedOrigin_AllowsThePageToReadTheStream()
    {
        var player = Guid.NewGuid();

        await using var events = await PushEventStream.OpenAsync(
            fixture.Client.BaseAddress!, PushRoutes.PlayerSse(player), token: null, cookie: $"Authorization=Bearer {PlayerToken(player)}", origin: AuthGatewayFixture.AllowedOrigin);

        Assert.Equal("text/event-stream", events.Response.Content.Headers.ContentType?.MediaType);
        AssertAllowed(AuthGatewayFixture.AllowedOrigin, events.Response.Headers);
    }

    [Theory]
    [InlineData("POST", "/entitlements/consume", "content-type")]
    [InlineData("POST", "/entitlements/consume", "authorization,content-type")]
    [InlineData("GET", "/sse", "last-event-id")]
    [InlineData("POST", "/Client/ConsumeXboxEntitlements", "x-playfabsdk, x-reporterrorassuccess, content-type")]
    [InlineData("POST", "/Client/LoginWithXbox", "content-type,content-encoding,x-playfabsdk,x-reporterrorassuccess")]
    [InlineData("POST", "/Client/ConsumeXboxEntitlements", "content-type,x-authorization,x-playfabsdk,x-reporterrorassuccess")]
    [InlineData("PUT", "/catalog", "authorization,content-type,if-match")]
    [InlineData("PUT", "/catalog", "authorization,content-type,if-none-match")]
    public async Task Cors_PreflightFromAListedOrigin_Returns204WithTheHeaders(string method, string route, string headers)
    {
        var path = route switch
        {
            "/sse" => PushRoutes.PlayerSse(Guid.NewGuid()),
            "/catalog" => "/inventory/v1/catalog/entitlement-sku/XboxLive/sku",
            "/entitlements/consume" => ConsumePath(Guid.NewGuid()),
            _ => route,
        };

        var response = await PreflightAsync(path, AuthGatewayFixture.AllowedOrigin, method, headers);

        Assert.True(response.Status == HttpStatusCode.NoContent, response.ToString());
        Assert.Equal("", response.Body);
        AssertAllowed(AuthGatewayFixture.AllowedOrigin, response.Headers);
        Assert.Equal(["GET", "HEAD", "POST", "PUT"], Values(response.Headers, "Access-Control-Allow-Methods"));
        Assert.Equal(
            ["Content-Type", "Content-Encoding", "Authorization", "X-Authorization", "X-PlayFabSDK", "X-ReportErrorAsSuccess", "Last-Event-ID", "If-None-Match", "If-Match"],
            Values(response.Headers, "Access-Control-Allow-Headers"));
        Assert.All(headers.Split(',', StringSplitOptions.TrimEntries), header => Assert.Contains(header, Values(response.Headers, "Access-Control-Allow-Headers"), StringComparer.OrdinalIgnoreCase));
        Assert.Equal(["600"], Values(response.Headers, "Access-Control-Max-Age"));
    }

    [Theory]
    [InlineData("https://attacker.example")]
    [InlineData("https://game.example:8443")]
    [InlineData("null")]
    [InlineData("{own}")]
    public async Task Cors_UnlistedOrigin_GetsNoCorsHeadersAndItsPreflightIsNotAllowed(string origin)
    {
        var player = await fixture.Operator.CreatePlayerAsync();
        origin = origin.Replace("{own}", OwnOrigin().GetLeftPart(UriPartial.Authority), StringComparison.Ordinal);

        // With the token in the header, which a page of any origin could send: the answer is not for the page to read.
        var get = await fixture.Client.SendAsync(HttpMethod.Get, EntitlementsPath(player.Uuid), body: null, request =>
        {
            request.Headers.Authorization = new("Bearer", PlayerToken(player.Uuid));
            request.Headers.Add("Origin", origin);
        });
        var preflight = await PreflightAsync(ConsumePath(player.Uuid), origin, "POST", "content-type");

        Assert.True(get.Status == HttpStatusCode.OK, get.ToString());
        AssertNoCors(get.Headers, varyByOrigin: true);
        Assert.True(preflight.Status == HttpStatusCode.MethodNotAllowed, preflight.ToString());
        AssertNoCors(preflight.Headers, varyByOrigin: true);
    }

    /// <summary>
    /// With origins listed, what the gateway answers depends on the request's <c>Origin</c>, so every
    /// answer says so: a shared cache must not hand the answer to a request without <c>Origin</c> (or from
    /// an unlisted one), which has no <c>Access-Control-Allow-Origin</c>, to a page of a listed origin. Once,
    /// whatever the route put in <c>Vary</c> itself (the event listing's <c>Accept-Encoding</c>).
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("https://attacker.example")]
    [InlineData(AuthGatewayFixture.AllowedOrigin)]
    public async Task Cors_AnswersWhenOriginsAreListed_VaryByOriginOnce(string? origin)
    {
        var player = await fixture.Operator.CreatePlayerAsync();
        void Configure(HttpRequestMessage request)
        {
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }
        }

        var entitlements = await fixture.Operator.SendAsync(HttpMethod.Get, EntitlementsPath(player.Uuid), body: null, Configure);
        var events = await fixture.Operator.SendAsync(HttpMethod.Get, $"{GatewayHttp.EventsPath}?player_uuid={player.Uuid}", body: null, Configure);
        var refused = await fixture.Client.SendAsync(HttpMethod.Get, EntitlementsPath(player.Uuid), body: null, Configure);
        var notFound = await fixture.Operator.SendAsync(HttpMethod.Get, "/no/such/route", body: null, Configure);

        Assert.True(entitlements.Status == HttpStatusCode.OK, entitlements.ToString());
        Assert.Equal(["Origin"], Values(entitlements.Headers, "Vary"));
        Assert.True(events.Status == HttpStatusCode.OK, events.ToString());
        Assert.Equal(["Accept-Encoding", "Origin"], Values(events.Headers, "Vary"));
        Assert.True(refused.Status == HttpStatusCode.Forbidden, refused.ToString());
        Assert.Equal(["Origin"], Values(refused.Headers, "Vary"));
        Assert.True(notFound.Status == HttpStatusCode.NotFound, notFound.ToString());
        Assert.Equal(["Origin"], Values(notFound.Headers, "Vary"));
    }

    [Fact]
    public async Task Cors_NoAllowedOrigins_AnswersNoOriginWithCorsHeaders()
    {
        // A gateway of its own, with the development issuer (its client sends an operator token) and no Auth:AllowedOrigins.
        await using var gateway = new GatewayFixture();
        await gateway.InitializeAsync();
        var player = await gateway.Client.CreatePlayerAsync();

        var get = await gateway.Client.SendAsync(HttpMethod.Get, EntitlementsPath(player.Uuid), body: null, request => request.Headers.Add("Origin", AuthGatewayFixture.AllowedOrigin));
        var withoutOrigin = await gateway.Client.SendAsync(HttpMethod.Get, EntitlementsPath(player.Uuid));
        var events = await gateway.Client.SendAsync(HttpMethod.Get, $"{GatewayHttp.EventsPath}?player_uuid={player.Uuid}");
        var preflight = await gateway.Client.SendAsync(HttpMethod.Options, ConsumePath(player.Uuid), body: null, request =>
        {
            request.Headers.Add("Origin", AuthGatewayFixture.AllowedOrigin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
        });

        Assert.True(get.Status == HttpStatusCode.OK, get.ToString());
        AssertNoCors(get.Headers, varyByOrigin: false);
        Assert.True(withoutOrigin.Status == HttpStatusCode.OK, withoutOrigin.ToString());
        AssertNoCors(withoutOrigin.Headers, varyByOrigin: false);
        Assert.False(withoutOrigin.Headers.Contains("Vary"));
        Assert.True(events.Status == HttpStatusCode.OK, events.ToString());
        Assert.Equal(["Accept-Encoding"], Values(events.Headers, "Vary"));
        Assert.True(preflight.Status == HttpStatusCode.MethodNotAllowed, preflight.ToString());
        AssertNoCors(preflight.Headers, varyByOrigin: false);
    }

    private Uri OwnOrigin() => fixture.Client.BaseAddress!;

    private string PlayerToken(Guid player) => fixture.Keys.Es256(TestKeys.Claims([], subject: player.ToString()));

    private static string ConsumePath(Guid player) => $"/inventory/v1/player/{player}/entitlements/consume";

    private static string EntitlementsPath(Guid player) => $"/inventory/v1/player/{player}/entitlements";

    /// <summary>A browser's preflight: <c>OPTIONS</c> with the page's origin, the method and the headers it means to send, and no credentials.</summary>
    private Task<ApiResponse> PreflightAsync(string path, string origin, string method, string headers) =>
        fixture.Client.SendAsync(HttpMethod.Options, path, body: null, request =>
        {
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", method);
            request.Headers.Add("Access-Control-Request-Headers", headers);
        });

    /// <summary>The answer lets a page of <paramref name="origin"/> read it, cookies included, and says that it depends on the origin.</summary>
    private static void AssertAllowed(string origin, HttpResponseHeaders headers)
    {
        Assert.Equal([origin], Values(headers, "Access-Control-Allow-Origin"));
        Assert.Equal(["true"], Values(headers, "Access-Control-Allow-Credentials"));
        Assert.Single(Values(headers, "Vary"), value => value.Equals("Origin", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The answer lets no page of another origin read it; it says it depends on the origin (once) when
    /// <paramref name="varyByOrigin"/>, as every answer does while origins are listed, and not otherwise.
    /// </summary>
    private static void AssertNoCors(HttpResponseHeaders headers, bool varyByOrigin)
    {
        Assert.Empty(headers.Where(header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)).Select(header => header.Key));
        Assert.Equal(varyByOrigin ? 1 : 0, Values(headers, "Vary").Count(value => value.Equals("Origin", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The values of header <paramref name="name"/>, comma-separated lists split; empty when it is absent.</summary>
    private static string[] Values(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values)
            ? [.. values.SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))]
            : [];

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
