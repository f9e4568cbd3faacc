using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Auth;

/// <summary>
/// A player's own token (<c>sub</c> = the player UUID, no permissions) reads that player's entitlements
/// and consumes them, and nothing of anyone else; the event listing needs its permission even for the own player.
/// </summary>
public sealed class SelfAccessTests(AuthGatewayFixture fixture) : IClassFixture<AuthGatewayFixture>
{
    private readonly HttpClient _operator = fixture.Operator;

    [Theory]
    [InlineData("?player_uuid={me}")]
    [InlineData("?player_uuid={ME}")]
    [InlineData("?player_uuid={me}&player_uuid={other}")]
    [InlineData("?player_uuid={other}")]
    [InlineData("?player_id={other_id}")]
    [InlineData("")]
    public async Task Events_AnyPlayerIncludingTheOwn_Returns403InsufficientPermissions(string query)
    {
        // RallyHere: "For any player (including themselves)" the listing needs inv:entitlement_event:read.
        var (me, other) = await TwoPlayersWithGemsAsync();
        var url = GatewayHttp.EventsPath + query.Replace("{other}", other.Uuid.ToString(), StringComparison.Ordinal)
            .Replace("{me}", me.Uuid.ToString(), StringComparison.Ordinal)
            .Replace("{ME}", me.Uuid.ToString().ToUpperInvariant(), StringComparison.Ordinal)
            .Replace("{other_id}", other.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var response = await SendAsync(me, HttpMethod.Get, url);

        AuthHttp.Forbidden(response);
    }

    [Fact]
    public async Task Entitlements_OwnPlayer_AreTheOperatorsView()
    {
        var (me, _) = await TwoPlayersWithGemsAsync();

        var response = await SendAsync(me, HttpMethod.Get, $"/inventory/v1/player/{me.Uuid}/entitlements");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal((await _operator.GetEntitlementsAsync(me.Uuid)).Body, response.Body);
    }

    [Fact]
    public async Task Entitlements_AnotherPlayer_Returns403InsufficientPermissions()
    {
        var (me, other) = await TwoPlayersWithGemsAsync();

        var response = await SendAsync(me, HttpMethod.Get, $"/inventory/v1/player/{other.Uuid}/entitlements");

        AuthHttp.Forbidden(response);
    }

    [Fact]
    public async Task Consume_OwnEntitlement_Deducts()
    {
        var (me, _) = await TwoPlayersWithGemsAsync();

        var response = await SendAsync(me, HttpMethod.Post, $"/inventory/v1/player/{me.Uuid}/entitlements/consume", ConsumeBody());

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(70, response.Json["useCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Consume_AnotherPlayersEntitlement_Returns403AndDeductsNothing()
    {
        var (me, other) = await TwoPlayersWithGemsAsync();

        var response = await SendAsync(me, HttpMethod.Post, $"/inventory/v1/player/{other.Uuid}/entitlements/consume", ConsumeBody());

        AuthHttp.Forbidden(response);
        Assert.Equal(100, Assert.Single(await _operator.EntitlementsOkAsync(other.Uuid))!["useCount"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("POST", GatewayHttp.EventsPath, "{}")]
    [InlineData("GET", AuthHttp.ProbePath, null)]
    [InlineData("PUT", "/inventory/v1/catalog/entitlement-sku/Steam/self_sku", "{}")]
    [InlineData("GET", "/users/v1/platform-user?platform=Steam&platform_user_id={me}", null)]
    [InlineData("PUT", "/users/v1/platform-user?platform=Steam&platform_user_id={me}&display_name=Me", null)]
    public async Task Route_NotSelfAllowed_Returns403ToThePlayersOwnToken(string method, string url, string? body)
    {
        var (me, _) = await TwoPlayersWithGemsAsync();

        var response = await SendAsync(me, new HttpMethod(method), url.Replace("{me}", me.PlatformUserId, StringComparison.Ordinal), body);

        AuthHttp.Forbidden(response);
    }

    [Fact]
    public async Task Entitlements_ServiceTokenWhoseSubjectIsNoPlayer_Returns403InsufficientPermissions()
    {
        var (me, _) = await TwoPlayersWithGemsAsync();
        var token = fixture.Keys.Es256(TestKeys.Claims(["inv:catalog:read"], subject: "service-account"));

        var response = await fixture.Client.SendAuthAsync(HttpMethod.Get, $"/inventory/v1/player/{me.Uuid}/entitlements", "Bearer " + token);

        AuthHttp.Forbidden(response);
    }

    private async Task<(Player Me, Player Other)> TwoPlayersWithGemsAsync()
    {
        var me = await _operator.CreatePlayerAsync();
        var other = await _operator.CreatePlayerAsync();
        await _operator.PostEventOkAsync(EventRequests.Grant(me.PlatformUserId, "gems_100", Unique.Name("tx")));
        await _operator.PostEventOkAsync(EventRequests.Grant(other.PlatformUserId, "gems_100", Unique.Name("tx")));
        return (me, other);
    }

    private Task<ApiResponse> SendAsync(Player player, HttpMethod method, string url, string? body = null) =>
        fixture.Client.SendAuthAsync(method, url, "Bearer " + fixture.Keys.Es256(TestKeys.Claims([], subject: player.Uuid.ToString())), body: body);

    private static string ConsumeBody() =>
        new JsonObject { ["item_id"] = "gems", ["quantity"] = 30, ["operation_id"] = Unique.Name("op") }.ToJsonString();
}
