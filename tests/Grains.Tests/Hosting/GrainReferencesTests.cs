using Entitlements.Contracts;
using Entitlements.Tests.Cluster;

namespace Entitlements.Tests.Hosting;

[Collection(ClusterDefinition.Name)]
public class GrainReferencesTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Reference_ByGuid_IsTheGrainGetGrainGives_FirstAndLaterCalls()
    {
        var link = await fixture.Client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.Steam, $"refs-{Guid.NewGuid():N}")).LinkAsync("Refs", null);
        var other = Guid.NewGuid();

        foreach (var key in new[] { link.Link.PlayerUuid, other, link.Link.PlayerUuid })
        {
            var reference = (GrainReference)(object)fixture.Client.Reference<IPlayerGrain>(key);
            var ordinary = (GrainReference)(object)fixture.Client.GetGrain<IPlayerGrain>(key);
            Assert.Equal(ordinary.GrainId, reference.GrainId);
            Assert.Equal(ordinary.InterfaceType, reference.InterfaceType);
        }

        var entitlements = await fixture.Client.Reference<IPlayerGrain>(link.Link.PlayerUuid).GetEntitlementsAsync();
        Assert.NotNull(entitlements);
        Assert.Equal(link.Link.PlayerUuid, entitlements.PlayerUuid);
        Assert.Null(await fixture.Client.Reference<IPlayerGrain>(other).GetEntitlementsAsync());
    }

    [Fact]
    public async Task Reference_ByString_IsTheGrainGetGrainGives_FirstAndLaterCalls()
    {
        var first = IPlatformUserGrain.Key(Platform.Steam, $"refs-{Guid.NewGuid():N}");
        var second = IPlatformUserGrain.Key(Platform.Epic, $"refs-{Guid.NewGuid():N}");

        foreach (var key in new[] { first, second, first })
        {
            var reference = (GrainReference)(object)fixture.Client.Reference<IPlatformUserGrain>(key);
            var ordinary = (GrainReference)(object)fixture.Client.GetGrain<IPlatformUserGrain>(key);
            Assert.Equal(ordinary.GrainId, reference.GrainId);
            Assert.Equal(ordinary.InterfaceType, reference.InterfaceType);
        }

        var linked = await fixture.Client.Reference<IPlatformUserGrain>(first).LinkAsync("Refs", null);
        Assert.Equal(linked.Link, await fixture.Client.GetGrain<IPlatformUserGrain>(first).GetAsync());
        Assert.Null(await fixture.Client.Reference<IPlatformUserGrain>(second).GetAsync());
        Assert.Throws<ArgumentException>(() => fixture.Client.Reference<IPlatformUserGrain>(" "));
    }
}
