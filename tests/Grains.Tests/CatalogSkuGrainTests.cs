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

    /// <summary>
    /// Entries the catalog route (and the seed file) refuse, each by one member: the grain refuses them with
    /// an <see cref="ArgumentException"/> naming that member, before anything is written. Before, it checked
    /// only that the text was storable and that the entry was its own, and stored every one of these: a
    /// negative units per quantity made a grant take units away, an undefined class or type made every grant
    /// of the SKU (and the listing, and the GET) fail, a null item id every grant.
    /// </summary>
    public static TheoryData<string, string> RefusedEntries => new()
    {
        { "units per quantity -5", "UnitsPerQuantity" },
        { "units per quantity 0", "UnitsPerQuantity" },
        { "units per quantity 1e9 + 1", "UnitsPerQuantity" },
        { "undefined platform", "Platform" },
        { "undefined entitlement type", "EntitlementType" },
        { "undefined class", "Clazz" },
        { "undefined revocation policy", "RevocationPolicy" },
        { "empty SKU", "Sku" },
        { "SKU of 2049 characters", "Sku" },
        { "null item id", "ItemId" },
        { "empty item id", "ItemId" },
        { "item id of 257 characters", "ItemId" },
        { "null item name", "ItemName" },
        { "empty item name", "ItemName" },
        { "item name of 257 characters", "ItemName" },
        { "item class of 257 characters", "ItemClass" },
        { "product id of 257 characters", "PlatformProductId" },
        { "null custom data", "CustomData" },
        { "null custom data value", "CustomData[store_section]" },
        { "no loot id", "LootId" },
        { "loot id 2^31", "LootId" },
        { "refund loot id 5e9", "RefundLootId" },
        { "chargeback loot id below -2^31", "ChargebackLootId" },
        { "chargeback reversal loot id 2^63 - 1", "ChargebackReversalLootId" },
    };

    private static readonly Dictionary<string, Func<CatalogSku, CatalogSku>> Refused = new()
    {
        ["units per quantity -5"] = sku => sku with { EntitlementType = EntitlementType.Consumable, UnitsPerQuantity = -5 },
        ["units per quantity 0"] = sku => sku with { UnitsPerQuantity = 0 },
        ["units per quantity 1e9 + 1"] = sku => sku with { UnitsPerQuantity = 1_000_000_001 },
        ["undefined platform"] = sku => sku with { Platform = (Platform)99 },
        ["undefined entitlement type"] = sku => sku with { EntitlementType = (EntitlementType)99 },
        ["undefined class"] = sku => sku with { Clazz = (EntitlementClazz)99 },
        ["undefined revocation policy"] = sku => sku with { RevocationPolicy = (RevocationPolicy)99 },
        ["empty SKU"] = sku => sku with { Sku = string.Empty },
        ["SKU of 2049 characters"] = sku => sku with { Sku = sku.Sku + new string('s', 2049 - sku.Sku.Length) },
        ["null item id"] = sku => sku with { ItemId = null! },
        ["empty item id"] = sku => sku with { ItemId = string.Empty },
        ["item id of 257 characters"] = sku => sku with { ItemId = new string('i', 257) },
        ["null item name"] = sku => sku with { ItemName = null! },
        ["empty item name"] = sku => sku with { ItemName = string.Empty },
        ["item name of 257 characters"] = sku => sku with { ItemName = new string('n', 257) },
        ["item class of 257 characters"] = sku => sku with { ItemClass = new string('c', 257) },
        ["product id of 257 characters"] = sku => sku with { PlatformProductId = new string('p', 257) },
        ["null custom data"] = sku => sku with { CustomData = null! },
        ["null custom data value"] = sku => sku with { CustomData = new Dictionary<string, string> { ["store_section"] = null! } },
        ["no loot id"] = sku => sku with { LootId = null },
        ["loot id 2^31"] = sku => sku with { LootId = 2_147_483_648L },
        ["refund loot id 5e9"] = sku => sku with { RefundLootId = 5_000_000_000L },
        ["chargeback loot id below -2^31"] = sku => sku with { ChargebackLootId = -2_147_483_649L },
        ["chargeback reversal loot id 2^63 - 1"] = sku => sku with { ChargebackReversalLootId = long.MaxValue },
    };

    [Theory]
    [MemberData(nameof(RefusedEntries))]
    public async Task Put_AnEntryTheRouteRefuses_ThrowsArgumentExceptionNamingTheMember_AndWritesNothing(string entry, string member)
    {
        var good = Entry($"sku-{Guid.NewGuid():N}");
        var bad = Refused[entry](good);
        var grain = fixture.Client.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(bad.Platform, bad.Sku));
        // Where the bad entry keeps the good one's key, the good one is there first: the refusal keeps it.
        var before = (bad.Platform, bad.Sku) == (good.Platform, good.Sku) ? await grain.PutAsync(good) : null;

        var refusal = await Assert.ThrowsAsync<ArgumentException>(() => grain.PutAsync(bad));
        var conditional = await Assert.ThrowsAsync<ArgumentException>(() => grain.PutAsync(bad, CatalogPrecondition.None));

        Assert.All(new[] { refusal, conditional }, exception => Assert.StartsWith($"{member} ", exception.Message, StringComparison.Ordinal));
        var stored = await fixture.Store.ReadCatalogSkuAsync(bad.Platform, bad.Sku);
        Assert.Equal(before?.Revision, stored?.Revision);
        Assert.Equal(before?.UnitsPerQuantity, stored?.UnitsPerQuantity);
        Assert.Equal(before?.ItemId, stored?.ItemId);
        Assert.Equal(stored?.Revision, (await grain.GetAsync())?.Revision);
    }

    /// <summary>
    /// The grain's key must be the one <see cref="ICatalogSkuGrain.Key"/> makes for the entry: Steam's number
    /// (11) in its place named the same stored entry from a second activation, whose write the activation
    /// under the real key never heard of (it kept answering its cached entry).
    /// </summary>
    [Fact]
    public async Task Put_UnderAKeyWithThePlatformsNumber_ThrowsArgumentException_AndWritesNothing()
    {
        var sku = Entry($"sku-{Guid.NewGuid():N}");
        var grain = fixture.Client.GetGrain<ICatalogSkuGrain>($"{(int)Platform.Steam}/{sku.Sku}");

        var refusal = await Assert.ThrowsAsync<ArgumentException>(() => grain.PutAsync(sku));

        Assert.Contains($"does not belong to grain {(int)Platform.Steam}/{sku.Sku}", refusal.Message, StringComparison.Ordinal);
        Assert.Null(await fixture.Store.ReadCatalogSkuAsync(sku.Platform, sku.Sku));
    }

    /// <summary>
    /// Custom data is bounded, as JSON, by the catalog route's body limit (299,008 bytes), which no body the
    /// route takes can carry more of: an Orleans client, held by no body limit, stored megabytes, which every
    /// read of the SKU then carried. Counted as the catalog writes JSON: UTF-8, a quote, a backslash and a
    /// control character escaped (two bytes, or six for one with no short escape), nothing else.
    /// </summary>
    [Fact]
    public async Task Put_CustomDataOverTheRoutesBodyLimitAsJson_ThrowsArgumentException_AndTheLargestIsWritten()
    {
        var good = Entry($"sku-{Guid.NewGuid():N}");
        var grain = fixture.Client.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(good.Platform, good.Sku));
        // {"note":"<filler>","q\"uote":"line\n💎\u0001"}: braces 2, comma 1; "note": 6 + 1; "q\"uote": 9 + 1;
        // "line\n💎\u0001": 4 + 2 + 4 + 6 + 2 = 18; the filler's quotes 2. 40 bytes and the filler's.
        Dictionary<string, string> Data(int filler) => new() { ["note"] = new string('x', filler), ["q\"uote"] = "line\n\U0001F48E\u0001" };

        var refusal = await Assert.ThrowsAsync<ArgumentException>(() => grain.PutAsync(good with { CustomData = Data(299_008 - 40 + 1) }));
        Assert.Null(await fixture.Store.ReadCatalogSkuAsync(good.Platform, good.Sku));
        var written = await grain.PutAsync(good with { CustomData = Data(299_008 - 40) });

        Assert.Equal("CustomData must have at most 299008 bytes of JSON; it has 299009. (Parameter 'CustomData')", refusal.Message);
        Assert.Equal(1, written.Revision);
        Assert.Equal(Data(299_008 - 40), (await fixture.Store.ReadCatalogSkuAsync(good.Platform, good.Sku))!.CustomData);
    }

    /// <summary>The bounds are inclusive: what the route takes at its limits, the grain takes.</summary>
    [Fact]
    public async Task Put_AnEntryAtTheRoutesLimits_IsWritten()
    {
        var name = $"sku-{Guid.NewGuid():N}";
        var sku = Entry(name + string.Concat(Enumerable.Repeat("\U0001F48E", 2048 - name.Length))) with
        {
            EntitlementType = EntitlementType.Consumable,
            ItemId = $"item-{Guid.NewGuid():N}" + new string('i', 256 - 37),
            ItemName = string.Concat(Enumerable.Repeat("\U0001F48E", 256)),
            ItemClass = new string('c', 256),
            PlatformProductId = new string('p', 256),
            UnitsPerQuantity = 1_000_000_000,
            LootId = int.MinValue,
            RefundLootId = int.MaxValue,
            ChargebackLootId = int.MaxValue,
            ChargebackReversalLootId = int.MinValue,
        };

        var written = await fixture.Client.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(sku.Platform, sku.Sku)).PutAsync(sku);

        Assert.Equal(1, written.Revision);
        Assert.Equal(1_000_000_000, (await fixture.Store.ReadCatalogSkuAsync(sku.Platform, sku.Sku))!.UnitsPerQuantity);
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
