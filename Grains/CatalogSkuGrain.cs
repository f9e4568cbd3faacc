using Entitlements.Contracts;
using Entitlements.Storage;

namespace Entitlements;

/// <summary>One catalog entry, cached in memory; the database is its source of truth.</summary>
public sealed class CatalogSkuGrain(ILedgerStore store) : Grain, ICatalogSkuGrain
{
    private CatalogSku? _sku;
    private bool _loaded;

    public async Task<CatalogSku?> GetAsync()
    {
        if (!_loaded)
        {
            var (platform, sku) = Key();
            _sku = await store.ReadCatalogSkuAsync(platform, sku);
            _loaded = true;
        }

        return _sku;
    }

    public async Task<CatalogSku> PutAsync(CatalogSku sku)
    {
        ArgumentNullException.ThrowIfNull(sku);
        sku.ThrowIfNotStorable();
        var (platform, name) = Key();
        if (sku.Platform != platform || sku.Sku != name)
        {
            throw new ArgumentException($"Catalog entry {sku.Platform}/{sku.Sku} does not belong to grain {platform}/{name}.", nameof(sku));
        }

        _sku = await store.WriteCatalogSkuAsync(sku);
        _loaded = true;
        return _sku;
    }

    private (Platform Platform, string Sku) Key()
    {
        var (platform, sku) = PlatformKey.Parse(this.GetPrimaryKeyString());
        StoredText.ThrowIfNul(sku, "The SKU");
        return (platform, sku);
    }
}
