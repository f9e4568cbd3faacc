using Entitlements.Contracts;
using Entitlements.Storage;

namespace Entitlements;

/// <summary>One catalog entry, cached in memory; the database is its source of truth.</summary>
public sealed class CatalogSkuGrain(ILedgerStore store) : Grain, ICatalogSkuGrain
{
    private CatalogSku? _sku;

    /// <summary>
    /// The entry, kept once found. A miss is read again each time: the store can gain the entry without
    /// this grain (a silo's seeder inserts into it directly), and a remembered miss would make every grant
    /// of the SKU <c>sku_not_found</c> while the Xbox consume, which maps products in the store, finds it.
    /// </summary>
    public async Task<CatalogSku?> GetAsync()
    {
        if (_sku is null)
        {
            var (platform, sku) = Key();
            _sku = await store.ReadCatalogSkuAsync(platform, sku);
        }

        return _sku;
    }

    public async Task<CatalogSku> PutAsync(CatalogSku sku) => (await PutAsync(sku, CatalogPrecondition.None)).WrittenOrThrow(sku);

    /// <summary>
    /// The entry is checked first (<see cref="CatalogSku.ThrowIfInvalid"/>), then that it is this grain's: either
    /// refusal is an <see cref="ArgumentException"/>, and nothing is written.
    /// </summary>
    public async Task<CatalogWriteResult> PutAsync(CatalogSku sku, CatalogPrecondition precondition)
    {
        ArgumentNullException.ThrowIfNull(sku);
        ArgumentNullException.ThrowIfNull(precondition);
        // The rules the route and the seed file apply too: an entry one of them refuses is refused here, by member.
        sku.ThrowIfInvalid();
        // Its own key, as ICatalogSkuGrain.Key writes it: a platform's number in place of its name ("11/gems")
        // would be a second grain of the same stored entry, whose write this one's cache would never hear of.
        var key = this.GetPrimaryKeyString();
        if (key != ICatalogSkuGrain.Key(sku.Platform, sku.Sku))
        {
            throw new ArgumentException($"Catalog entry {sku.Platform}/{sku.Sku} does not belong to grain {key}.", nameof(sku));
        }

        // Forgotten first: if the write fails with its outcome unknown, the next read asks the store.
        _sku = null;
        var result = await store.WriteCatalogSkuAsync(sku, precondition);
        // Written or not, the result holds the entry as stored now.
        _sku = result.Entry;
        return result;
    }

    private (Platform Platform, string Sku) Key() => PlatformKey.ParseStored(this.GetPrimaryKeyString(), "The SKU");
}
