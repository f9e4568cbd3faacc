using Entitlements.Contracts;
using Entitlements.Tests.Cluster;

namespace Entitlements.Tests;

[Collection(ClusterDefinition.Name)]
public class PlatformUserGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Link_NewPlatformUser_CreatesPlayerWithNextPlayerId()
    {
        var first = await User().LinkAsync("First", null);
        var second = await User().LinkAsync("Second", null);

        Assert.True(first.Created);
        Assert.True(second.Created);
        Assert.Equal(first.Link.PlayerId + 1, second.Link.PlayerId);
        Assert.NotEqual(first.Link.PlayerUuid, second.Link.PlayerUuid);
        var entitlements = await fixture.Client.GetGrain<IPlayerGrain>(first.Link.PlayerUuid).GetEntitlementsAsync();
        Assert.NotNull(entitlements);
        Assert.Equal(first.Link.PlayerUuid, entitlements.PlayerUuid);
        Assert.Equal(0, entitlements.Version);
        Assert.Empty(entitlements.Entitlements);
    }

    [Fact]
    public async Task Link_AgainWithoutPlayer_KeepsExistingLink()
    {
        var user = User();
        var first = await user.LinkAsync("First", null);

        var again = await user.LinkAsync(null, null);
        await fixture.Cluster.DeactivateAsync(user);
        var read = await user.GetAsync();

        Assert.False(again.Created);
        Assert.Equal(first.Link, again.Link);
        Assert.Equal(first.Link, read);
    }

    [Fact]
    public async Task Link_SecondPlatformToExistingPlayer_SharesPlayer()
    {
        var steam = await User().LinkAsync(null, null);
        var xbox = fixture.Client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.XboxLive, $"xbox-{Guid.NewGuid():N}"));

        var linked = await xbox.LinkAsync("Gamertag", steam.Link.PlayerUuid);

        Assert.True(linked.Created);
        Assert.Equal(Platform.XboxLive, linked.Link.Platform);
        Assert.Equal(steam.Link.PlayerUuid, linked.Link.PlayerUuid);
        Assert.Equal(steam.Link.PlayerId, linked.Link.PlayerId);
        Assert.Equal("Gamertag", linked.Link.DisplayName);
    }

    [Fact]
    public async Task Get_UnlinkedPlatformUser_ReturnsNull()
    {
        Assert.Null(await User().GetAsync());
    }

    /// <summary>
    /// Platform users the route refuses (an undefined platform, an empty or over-long id, a display name over
    /// 256 characters), and a key with a platform's number where its name goes (a second name for another
    /// grain's user): the grain refuses each with an <see cref="ArgumentException"/> and links nobody.
    /// Before, it checked only that the text was storable, and linked every one of them.
    /// </summary>
    public static TheoryData<string, string> RefusedLinks => new()
    {
        { "undefined platform", "The grain key " },
        { "platform's number", "The grain key " },
        { "empty id", "The platform user id " },
        { "id of 2049 characters", "The platform user id " },
        { "display name of 257 characters", "The display name " },
    };

    [Theory]
    [MemberData(nameof(RefusedLinks))]
    public async Task Link_AUserTheRouteRefuses_ThrowsArgumentException_AndLinksNobody(string link, string refusedFor)
    {
        var id = $"user-{Guid.NewGuid():N}";
        var (platform, user, key, displayName) = link switch
        {
            "undefined platform" => ((Platform)99, id, IPlatformUserGrain.Key((Platform)99, id), "Player"),
            "platform's number" => (Platform.Steam, id, $"{(int)Platform.Steam}/{id}", "Player"),
            "empty id" => (Platform.Steam, string.Empty, IPlatformUserGrain.Key(Platform.Steam, string.Empty), "Player"),
            "id of 2049 characters" => (Platform.Steam, id + new string('u', 2049 - id.Length), IPlatformUserGrain.Key(Platform.Steam, id + new string('u', 2049 - id.Length)), "Player"),
            _ => (Platform.Steam, id, IPlatformUserGrain.Key(Platform.Steam, id), new string('n', 257)),
        };

        var refusal = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Client.GetGrain<IPlatformUserGrain>(key).LinkAsync(displayName, null));

        Assert.StartsWith(refusedFor, refusal.Message, StringComparison.Ordinal);
        Assert.Null(await fixture.Store.ReadPlatformUserAsync(platform, user));
    }

    /// <summary>The nil UUID is no player's, as for the route: it used to create a player with that UUID.</summary>
    [Fact]
    public async Task Link_ToTheNilUuid_ThrowsArgumentException_AndLinksNobody()
    {
        var id = $"user-{Guid.NewGuid():N}";

        var refusal = await Assert.ThrowsAsync<ArgumentException>(
            () => fixture.Client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.Steam, id)).LinkAsync("Player", Guid.Empty));

        Assert.Equal("playerUuid is the nil UUID, which is no player's. (Parameter 'playerUuid')", refusal.Message);
        Assert.Null(await fixture.Store.ReadPlatformUserAsync(Platform.Steam, id));
    }

    /// <summary>The bounds are inclusive, counted in characters as the route counts them (an emoji is one).</summary>
    [Fact]
    public async Task Link_AUserAtTheRoutesLimits_IsLinked()
    {
        var id = $"user-{Guid.NewGuid():N}";
        id += string.Concat(Enumerable.Repeat("\U0001F48E", 2048 - id.Length));
        var name = string.Concat(Enumerable.Repeat("\U0001F48E", 256));

        var linked = await fixture.Client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.Steam, id)).LinkAsync(name, null);

        Assert.True(linked.Created);
        Assert.Equal((id, name), (linked.Link.PlatformUserId, linked.Link.DisplayName));
        Assert.Equal(linked.Link.PlayerUuid, (await fixture.Store.ReadPlatformUserAsync(Platform.Steam, id))?.PlayerUuid);
    }

    private IPlatformUserGrain User() =>
        fixture.Client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.Steam, $"user-{Guid.NewGuid():N}"));
}
