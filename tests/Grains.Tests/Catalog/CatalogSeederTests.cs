using Entitlements.Catalog;
using Entitlements.Contracts;
using Entitlements.Storage;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Catalog;

/// <summary>
/// The seed file at start: an entry it cannot take stops the start with the file, the entry and the field
/// named, before anything of the file is stored. A JSON null passes the deserializer's check of required
/// members, and used to stop the start with a bare NullReferenceException, or (in custom_data) be stored
/// and served against the schema; of two entries for one SKU the second was dropped unnoticed.
/// </summary>
public sealed class CatalogSeederTests : IDisposable
{
    private const string GoodEntry = """{"platform": "Steam", "sku": "gems_100", "loot_entitlement": {"type": "consumable", "loot_id": 1}, "item_id": "gems", "item_name": "Gems"}""";

    private readonly TempDirectory _directory = new();
    private readonly SqliteLedgerStore _store;

    public CatalogSeederTests() => _store = new SqliteLedgerStore(Options.Create(new StorageOptions { DataDirectory = _directory.Path }));

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    [Theory]
    [InlineData("\"loot_entitlement\": null", "loot_entitlement must not be null.")]
    [InlineData("\"loot_entitlement\": {\"type\": null, \"loot_id\": 2}", "loot_entitlement.type must not be null.")]
    [InlineData("\"platform\": null", "platform must not be null.")]
    [InlineData("\"item_id\": null", "item_id must not be null.")]
    [InlineData("\"revocation_policy\": null", "revocation_policy must not be null.")]
    [InlineData("\"custom_data\": null", "custom_data must not be null.")]
    [InlineData("\"custom_data\": {\"store_section\": null}", "custom_data.store_section must be a string, not null.")]
    public async Task Run_ANullInAnEntry_StopsWithTheEntryAndTheFieldNamed_AndStoresNothing(string field, string problem)
    {
        // The second entry is the sample's, with one field replaced or added (a later duplicate key wins).
        var bad = GoodEntry.Replace("\"sku\": \"gems_100\"", "\"sku\": \"gems_200\"", StringComparison.Ordinal).TrimEnd('}') + ", " + field + "}";
        var path = WriteSeedFile($"[{GoodEntry}, {bad}]");

        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => Seeder(path).RunAsync(CancellationToken.None));

        Assert.Equal($"Catalog seed file {path}, entry 1: {problem}", failure.Message);
        Assert.Null(await _store.ReadCatalogSkuAsync(Platform.Steam, "gems_100"));
    }

    /// <summary>
    /// What the catalog route refuses, the seed refuses, by the same rules: over-long text and a units per
    /// quantity above the route's bound were seeded before, as long as they were not empty or below 1.
    /// </summary>
    [Theory]
    [InlineData("\"units_per_quantity\": 0", "units_per_quantity must be from 1 to 1000000000; it is 0.")]
    [InlineData("\"units_per_quantity\": 1000000001", "units_per_quantity must be from 1 to 1000000000; it is 1000000001.")]
    [InlineData("\"item_id\": \"\"", "item_id must have from 1 to 256 characters; it has 0.")]
    [InlineData("\"item_id\": \"{257}\"", "item_id must have from 1 to 256 characters; it has 257.")]
    [InlineData("\"item_name\": \"{257}\"", "item_name must have from 1 to 256 characters; it has 257.")]
    [InlineData("\"item_class\": \"{257}\"", "item_class must have at most 256 characters; it has 257.")]
    [InlineData("\"platform_product_id\": \"{257}\"", "platform_product_id must have at most 256 characters; it has 257.")]
    [InlineData("\"sku\": \"{2049}\"", "sku must have from 1 to 2048 characters; it has 2049.")]
    [InlineData("\"custom_data\": {\"note\": \"a\\u0000b\"}", "custom_data.note holds a NUL character (U+0000), which the ledger does not store.")]
    [InlineData("\"custom_data\": {\"note\": \"{299000}\"}", "custom_data must have at most 299008 bytes of JSON; it has 299011.")]
    public async Task Run_AnEntryTheRouteRefuses_StopsWithTheEntryAndTheFieldNamed_AndStoresNothing(string field, string problem)
    {
        field = field.Replace("{257}", new string('x', 257), StringComparison.Ordinal).Replace("{2049}", new string('s', 2049), StringComparison.Ordinal)
            .Replace("{299000}", new string('x', 299_000), StringComparison.Ordinal);
        var bad = GoodEntry.Replace("\"sku\": \"gems_100\"", "\"sku\": \"gems_200\"", StringComparison.Ordinal).TrimEnd('}') + ", " + field + "}";
        var path = WriteSeedFile($"[{GoodEntry}, {bad}]");

        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => Seeder(path).RunAsync(CancellationToken.None));

        Assert.Equal($"Catalog seed file {path}, entry 1: {problem}", failure.Message);
        Assert.Null(await _store.ReadCatalogSkuAsync(Platform.Steam, "gems_100"));
    }

    /// <summary>
    /// An entry without <c>loot_id</c> (the catalog route requires it): it was read as 0 and seeded, so every grant
    /// of the SKU carried loot id 0. Refused now, with the file, the entry and the field named.
    /// </summary>
    [Fact]
    public async Task Run_AnEntryWithoutALootId_StopsWithTheEntryAndTheFieldNamed_AndStoresNothing()
    {
        var bad = GoodEntry.Replace("\"gems_100\"", "\"gems_200\"", StringComparison.Ordinal).Replace(", \"loot_id\": 1", string.Empty, StringComparison.Ordinal);
        var path = WriteSeedFile($"[{GoodEntry}, {bad}]");

        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => Seeder(path).RunAsync(CancellationToken.None));

        Assert.Equal($"Catalog seed file {path}, entry 1: loot_entitlement.loot_id is required: an entry has the loot id of its grants.", failure.Message);
        Assert.Null(await _store.ReadCatalogSkuAsync(Platform.Steam, "gems_100"));
        Assert.Null(await _store.ReadCatalogSkuAsync(Platform.Steam, "gems_200"));
    }

    /// <summary>
    /// A value of the wrong type (a null or a string where a number belongs), a missing required field, or an entry
    /// that is not an object: the reader's failure stopped the start with its own message, which named neither the
    /// file nor the entry (a null entry, a bare NullReferenceException). Now the file, the entry, the field and the
    /// line are named, and nothing is stored.
    /// </summary>
    [Theory]
    [InlineData("{\"platform\": \"Steam\", \"sku\": \"gems_200\", \"loot_entitlement\": {\"type\": \"consumable\", \"loot_id\": null}, \"item_id\": \"gems\", \"item_name\": \"Gems\"}",
        ", entry 1, loot_entitlement.loot_id (line 2): The JSON value could not be converted to System.Int64.")]
    [InlineData("{\"platform\": \"Steam\", \"sku\": \"gems_200\", \"loot_entitlement\": {\"type\": \"consumable\", \"loot_id\": 1}, \"item_id\": \"gems\", \"item_name\": \"Gems\", \"units_per_quantity\": \"5\"}",
        ", entry 1, units_per_quantity (line 2): The JSON value could not be converted to System.Int64.")]
    [InlineData("{\"platform\": \"Steam\", \"sku\": \"gems_200\", \"loot_entitlement\": {\"type\": \"consumable\", \"loot_id\": 1}, \"item_name\": \"Gems\"}",
        ", entry 1 (line 2): JSON deserialization for type 'Entitlements.Catalog.CatalogSkuDocument' was missing required properties including: 'item_id'.")]
    [InlineData("null", ", entry 1: the entry is null, not an object.")]
    public async Task Run_AnEntryTheReaderRefuses_StopsWithTheEntryAndTheFieldNamed_AndStoresNothing(string entry, string problem)
    {
        var path = WriteSeedFile($"[{GoodEntry},\n{entry}]");

        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => Seeder(path).RunAsync(CancellationToken.None));

        Assert.Equal($"Catalog seed file {path}{problem}", failure.Message);
        Assert.Null(await _store.ReadCatalogSkuAsync(Platform.Steam, "gems_100"));
    }

    /// <summary>The seed file shipped beside the binaries (copied from <c>Grains/Catalog/</c>) is taken whole, loot ids as written.</summary>
    [Fact]
    public async Task Run_TheShippedSampleFile_StoresEachEntryWithItsLootId()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "catalog.sample.json");
        using var file = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(path));

        await Seeder(path).RunAsync(CancellationToken.None);

        Assert.NotEmpty(file.RootElement.EnumerateArray());
        foreach (var entry in file.RootElement.EnumerateArray())
        {
            Assert.True(WireNames<Platform>.TryParse(entry.GetProperty("platform").GetString()!, out var platform));
            var stored = await _store.ReadCatalogSkuAsync(platform, entry.GetProperty("sku").GetString()!);
            Assert.Equal(entry.GetProperty("loot_entitlement").GetProperty("loot_id").GetInt64(), stored!.LootId);
        }
    }

    [Fact]
    public async Task Run_TwoEntriesForOneSku_StopsWithBothNamed_AndStoresNothing()
    {
        var path = WriteSeedFile($"[{GoodEntry}, {GoodEntry.Replace("\"gems_100\"", "\"gems_200\"", StringComparison.Ordinal)}, {GoodEntry.Replace("\"Gems\"", "\"More Gems\"", StringComparison.Ordinal)}]");

        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => Seeder(path).RunAsync(CancellationToken.None));

        Assert.Equal($"Catalog seed file {path}, entry 2: Steam SKU 'gems_100' is also entry 0.", failure.Message);
        Assert.Null(await _store.ReadCatalogSkuAsync(Platform.Steam, "gems_100"));
    }

    [Fact]
    public async Task Run_AGoodFile_StoresEachEntry()
    {
        var path = WriteSeedFile($"[{GoodEntry}, {GoodEntry.Replace("\"gems_100\"", "\"gems_200\"", StringComparison.Ordinal)}]");

        await Seeder(path).RunAsync(CancellationToken.None);

        Assert.Equal("Gems", (await _store.ReadCatalogSkuAsync(Platform.Steam, "gems_100"))!.ItemName);
        Assert.Equal(EntitlementType.Consumable, (await _store.ReadCatalogSkuAsync(Platform.Steam, "gems_200"))!.EntitlementType);
    }

    private string WriteSeedFile(string json)
    {
        var path = Path.Combine(_directory.Path, "catalog.json");
        File.WriteAllText(path, json);
        return path;
    }

    private CatalogSeeder Seeder(string path) => new(
        _store,
        Options.Create(new CatalogOptions { SeedFile = path }),
        Options.Create(new StorageOptions { DataDirectory = _directory.Path }),
        NullLogger<CatalogSeeder>.Instance);
}
