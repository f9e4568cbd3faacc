using Entitlements.Contracts;
using Entitlements.Tests.Cluster;

namespace Entitlements.Tests.Outage;

/// <summary>
/// A platform user's relink that commits but whose acknowledgement is lost: the grain answers what the
/// database holds afterwards, not the link it cached before the write.
/// </summary>
public sealed class PlatformUserGrainStoreFailureTests(PlayerGrainStoreFailureTests.FaultyCluster fixture)
    : IClassFixture<PlayerGrainStoreFailureTests.FaultyCluster>
{
    [Fact]
    public async Task Relink_CommitsButTheAcknowledgementIsLost_TheGrainAnswersTheNewPlayer()
    {
        var world = new GrainWorld(fixture.Client);
        var other = await world.NewPlayerAsync();
        var user = fixture.Client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.Steam, GrainWorld.Unique("user")));
        var first = (await user.LinkAsync("Player", null)).Link;
        Assert.Equal(first.PlayerUuid, (await user.GetAsync())!.PlayerUuid);

        fixture.Faults.LoseNextLinkAcknowledgement();
        var exception = await Assert.ThrowsAsync<StoreUnavailableException>(() => user.LinkAsync("Player", other.PlayerUuid));
        Assert.Contains(FaultyLedgerStore.Message, exception.Message, StringComparison.Ordinal);

        // The database has the new link: grants routed by this grain must go to that player, not the old one.
        Assert.Equal(other.PlayerUuid, (await fixture.Store.ReadPlatformUserAsync(Platform.Steam, first.PlatformUserId))!.PlayerUuid);
        Assert.Equal(other.PlayerUuid, (await user.GetAsync())!.PlayerUuid);
    }
}
