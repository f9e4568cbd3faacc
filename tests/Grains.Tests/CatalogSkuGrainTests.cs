using Entitlements.Contracts;
using Entitlements.Tests.Cluster;

namespace Entitlements.Tests;

[Collection(ClusterDefinition.Name)]
public class CatalogSkuGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Get_SampleSkuWithEmptySeedFile_ReturnsNull()
    {
        var sample = fixture.Client.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(Platform.Steam, "gems_100"));

        Assert.Null(await sample.GetAsync());
    }

    [Fact]
    public async Task Put_Twice_IncrementsRevisionAndSurvivesDeactivation()
    {
        var sku = Entry($"sku-{Guid.NewGuid():N}");
        var grain = fixture.Client.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(sku.Platform, sku.Sku));

        var first = await grain.PutAsync(sku);
        var second = await grain.PutAsync(sku with { ItemName = "Renamed", Revision = 40 });
        await fixture.Cluster.DeactivateAsync(grain);
        var read = await grain.GetAsync();

        Assert.Equal(1, first.Revision);
        Assert.Equal(2, second.Revision);
        Assert.NotNull(read);
        Assert.Equal("Renamed", read.ItemName);
        Assert.Equal(2, read.Revision);
        Assert.Equal(sku.CustomData, read.CustomData);
        Assert.Equal(sku with { ItemName = "Renamed", Revision = 2, CustomData = read.CustomData }, read);
    }

    /// <summary>
    /// An entry the store gained around the grain (the seeder of a silo that started later, or a write
    /// whose acknowledgement was lost) is found by the next read: a miss is not remembered. Before, the
    /// grain kept the miss for its lifetime, and an Xbox consume that mapped the product from the store
    /// then recorded its grant as sku_not_found, for good.
    /// </summary>
    [Fact]
    public async Task Get_AfterAMiss_FindsAnEntryTheStoreGainedSince()
    {
        var sku = Entry($"sku-{Guid.NewGuid():N}");
        var grain = fixture.Client.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(sku.Platform, sku.Sku));
        Assert.Null(await grain.GetAsync());

        Assert.Equal(1, await fixture.Store.SeedCatalogAsync([sku]));
        var read = await grain.GetAsync();

        Assert.Equal(sku with { Revision = 1, CustomData = read!.CustomData }, read);
        Assert.Equal(sku.CustomData, read.CustomData);
    }

    [Fact]
    public async Task Put_EntryOfAnotherKey_ThrowsArgumentException()
    {
        var sku = Entry($"sku-{Guid.NewGuid():N}");
        var grain = fixture.Client.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(Platform.XboxLive, sku.Sku));

        await Assert.ThrowsAsync<ArgumentException>(() => grain.PutAsync(sku));
        Assert.Null(await grain.GetAsync());
    }

    private static CatalogSku Entry(string sku) => new()
    {
        Platform = Platform.Steam,
        Sku = sku,
        EntitlementType = EntitlementType.Durable,
        ItemId = sku + "-item",
        ItemName = "Season Pass",
        Clazz = EntitlementClazz.Subscription,
        RevocationPolicy = RevocationPolicy.NotRevocable,
        PlatformProductId = "9NBLGGH4R315",
        CustomData = new Dictionary<string, string> { ["store_section"] = "passes" },
        LootId = 2001,
    };
}
