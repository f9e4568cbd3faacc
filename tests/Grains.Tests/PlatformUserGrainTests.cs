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

    private IPlatformUserGrain User() =>
        fixture.Client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.Steam, $"user-{Guid.NewGuid():N}"));
}
