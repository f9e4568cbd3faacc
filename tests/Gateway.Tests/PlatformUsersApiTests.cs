using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Contracts;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests;

/// <summary><c>/users/v1/platform-user</c>: find a platform user, or link one to a player.</summary>
public sealed class PlatformUsersApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Path = "/users/v1/platform-user";
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Put_NewPlatformUser_Returns201WithANewPlayer()
    {
        var user = Unique.Name("steam");

        var response = await _client.SendAsync(HttpMethod.Put, $"{Path}?platform=Steam&platform_user_id={user}&display_name=Ann");

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var playerUuid = response.Json["player_uuid"]!.GetValue<string>();
        var playerId = response.Json["player_id"]!.GetValue<long>();
        Assert.True(Guid.TryParseExact(playerUuid, "D", out _), $"player_uuid {playerUuid}");
        Assert.True(playerId > 0);
        JsonAssert.Response(HttpStatusCode.Created, Link("Steam", user, "Ann", playerUuid, playerId), response);
    }

    [Fact]
    public async Task Put_ExistingPlatformUser_Returns200WithTheSamePlayer()
    {
        var user = Unique.Name("steam");
        var created = await _client.SendAsync(HttpMethod.Put, $"{Path}?platform=Steam&platform_user_id={user}&display_name=Ann");

        var again = await _client.SendAsync(HttpMethod.Put, $"{Path}?platform=Steam&platform_user_id={user}&display_name=Ann");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        JsonAssert.Response(HttpStatusCode.OK, created.Json, again);
    }

    [Fact]
    public async Task Put_ExistingPlatformUserWithNewDisplayName_RenamesAndKeepsThePlayer()
    {
        var player = await _client.CreatePlayerAsync();

        var renamed = await _client.SendAsync(HttpMethod.Put, $"{Path}?platform=Steam&platform_user_id={player.PlatformUserId}&display_name=Bea");
        var found = await _client.GetApiAsync($"{Path}?platform=Steam&platform_user_id={player.PlatformUserId}");

        var expected = Link("Steam", player.PlatformUserId, "Bea", player.Uuid.ToString(), player.Id);
        JsonAssert.Response(HttpStatusCode.OK, expected, renamed);
        JsonAssert.Response(HttpStatusCode.OK, expected, found);
    }

    [Fact]
    public async Task Put_WithPlayerUuid_LinksThePlatformUserToThatPlayer()
    {
        var playerUuid = Guid.NewGuid();
        var steam = Unique.Name("steam");
        var epic = Unique.Name("epic");

        var first = await _client.SendAsync(HttpMethod.Put, $"{Path}?platform=Steam&platform_user_id={steam}&display_name=Cy&player_uuid={playerUuid}");
        var second = await _client.SendAsync(HttpMethod.Put, $"{Path}?platform=Epic&platform_user_id={epic}&display_name=Cy&player_uuid={playerUuid}");

        var playerId = first.Json["player_id"]!.GetValue<long>();
        JsonAssert.Response(HttpStatusCode.Created, Link("Steam", steam, "Cy", playerUuid.ToString(), playerId), first);
        JsonAssert.Response(HttpStatusCode.Created, Link("Epic", epic, "Cy", playerUuid.ToString(), playerId), second);
    }

    [Fact]
    public async Task Put_NewPlatformUsers_GetSequentialPlayerIds()
    {
        var players = new List<Player>();
        for (var i = 0; i < 3; i++)
        {
            players.Add(await _client.CreatePlayerAsync());
        }

        Assert.Equal([players[0].Id, players[0].Id + 1, players[0].Id + 2], players.Select(p => p.Id));
        Assert.Equal(3, players.Select(p => p.Uuid).Distinct().Count());
    }

    [Fact]
    public async Task Get_LinkedPlatformUser_ReturnsTheLink()
    {
        var player = await _client.CreatePlayerAsync();

        var response = await _client.GetApiAsync($"{Path}?platform=Steam&platform_user_id={player.PlatformUserId}");

        JsonAssert.Response(HttpStatusCode.OK, Link("Steam", player.PlatformUserId, "Tester", player.Uuid.ToString(), player.Id), response);
    }

    [Fact]
    public async Task Get_LinkWithoutDisplayName_LeavesTheFieldOut()
    {
        // An Xbox login whose token has no gamertag links the XUID with no display name.
        var xuid = Unique.Name("xuid");
        var grains = fixture.App.Services.GetRequiredService<IGrainFactory>();
        var link = (await grains.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.XboxLive, xuid)).LinkAsync(null, null)).Link;

        var response = await _client.GetApiAsync($"{Path}?platform=XboxLive&platform_user_id={xuid}");

        var expected = Link("XboxLive", xuid, "-", link.PlayerUuid.ToString(), link.PlayerId);
        expected.Remove("display_name");
        JsonAssert.Response(HttpStatusCode.OK, expected, response);
        Assert.DoesNotContain("display_name", response.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ParameterGivenTwice_UsesTheLastValue()
    {
        var player = await _client.CreatePlayerAsync();

        var response = await _client.GetApiAsync($"{Path}?platform=Epic&platform_user_id={Unique.Name("other")}&platform=Steam&platform_user_id={player.PlatformUserId}");

        JsonAssert.Response(HttpStatusCode.OK, Link("Steam", player.PlatformUserId, "Tester", player.Uuid.ToString(), player.Id), response);
    }

    [Fact]
    public async Task Put_QueryEscapeThatIsNotUtf8_IsTheReplacementCharacterAsPythonDecodesIt()
    {
        // "%FF" is no UTF-8; it was kept as the three characters, the same user id as "%25FF" spells.
        var user = Unique.Name("steam");

        var put = await _client.SendAsync(HttpMethod.Put, $"{Path}?platform=Steam&platform_user_id={user}%FF&display_name=A%C3%FF");
        var escaped = await _client.GetApiAsync($"{Path}?platform=Steam&platform_user_id={user}%25FF");
        var found = await _client.GetApiAsync($"{Path}?platform=Steam&platform_user_id={user}%EF%BF%BD");

        var expected = Link("Steam", user + "\uFFFD", "A\uFFFD\uFFFD", put.Json["player_uuid"]!.GetValue<string>(), put.Json["player_id"]!.GetValue<long>());
        JsonAssert.Response(HttpStatusCode.Created, expected, put);
        Assert.Equal(HttpStatusCode.NotFound, escaped.Status);
        JsonAssert.Response(HttpStatusCode.OK, expected, found);
    }

    [Fact]
    public async Task Get_UnknownPlatformUser_Returns404UserNotFound()
    {
        var response = await _client.GetApiAsync($"{Path}?platform=Steam&platform_user_id={Unique.Name("nobody")}");

        JsonAssert.Error(HttpStatusCode.NotFound, "user_not_found", "User not found", response);
    }

    [Fact]
    public async Task Get_SameUserIdOnAnotherPlatform_Returns404()
    {
        var player = await _client.CreatePlayerAsync();

        var response = await _client.GetApiAsync($"{Path}?platform=Epic&platform_user_id={player.PlatformUserId}");

        JsonAssert.Error(HttpStatusCode.NotFound, "user_not_found", "User not found", response);
    }

    [Fact]
    public async Task Get_MissingParameters_Returns422()
    {
        var response = await _client.GetApiAsync(Path);

        JsonAssert.Invalid(response, ValidationDetail.Query("platform", "Field required", "missing"), ValidationDetail.Query("platform_user_id", "Field required", "missing"));
    }

    [Fact]
    public async Task Put_MissingParameters_Returns422()
    {
        var response = await _client.SendAsync(HttpMethod.Put, Path);

        JsonAssert.Invalid(
            response,
            ValidationDetail.Query("platform", "Field required", "missing"),
            ValidationDetail.Query("platform_user_id", "Field required", "missing"),
            ValidationDetail.Query("display_name", "Field required", "missing"));
    }

    /// <summary>The nil UUID is no player's: it used to create a player with that UUID (201).</summary>
    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("00000000000000000000000000000000")]
    public async Task Put_NilPlayerUuid_Returns422AndLinksNobody(string playerUuid)
    {
        var user = Unique.Name("steam");

        var response = await _client.SendAsync(HttpMethod.Put, $"{Path}?platform=Steam&platform_user_id={user}&display_name=Ann&player_uuid={playerUuid}");
        var found = await _client.GetApiAsync($"{Path}?platform=Steam&platform_user_id={user}");

        JsonAssert.Invalid(response, ValidationDetail.Query("player_uuid", "Value error, the nil UUID is no player's", "value_error"));
        Assert.Equal(HttpStatusCode.NotFound, found.Status);
    }

    [Theory]
    [InlineData("platform=steam&platform_user_id=u&display_name=d", "platform", ValidationDetail.PlatformEnum, "enum")]
    [InlineData("platform=Steam&platform_user_id=&display_name=d", "platform_user_id", "String should have at least 1 character", "string_too_short")]
    [InlineData("platform=Steam&platform_user_id=u&display_name=d&player_uuid=abc", "player_uuid", "Input should be a valid UUID", "uuid_parsing")]
    public async Task Put_BadParameter_Returns422(string query, string field, string msg, string type)
    {
        var response = await _client.SendAsync(HttpMethod.Put, $"{Path}?{query}");

        JsonAssert.Invalid(response, ValidationDetail.Query(field, msg, type));
    }

    [Fact]
    public async Task Put_StringsOverTheirLimits_Returns422()
    {
        var user = new string('u', 2049);
        var name = new string('n', 257);

        var response = await _client.SendAsync(HttpMethod.Put, $"{Path}?platform=Steam&platform_user_id={user}&display_name={name}");

        JsonAssert.Invalid(
            response,
            ValidationDetail.Query("platform_user_id", "String should have at most 2048 characters", "string_too_long"),
            ValidationDetail.Query("display_name", "String should have at most 256 characters", "string_too_long"));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetApiAsync($"{Path}?platform=Steam&platform_user_id={new string('u', 2048)}")).Status);
    }

    private static JsonObject Link(string platform, string user, string displayName, string playerUuid, long playerId) => new()
    {
        ["platform"] = platform,
        ["platform_user_id"] = user,
        ["display_name"] = displayName,
        ["player_id"] = playerId,
        ["player_uuid"] = playerUuid,
        ["person_id"] = playerUuid,
        ["active_player_id"] = playerId,
        ["active_player_uuid"] = playerUuid,
    };
}
