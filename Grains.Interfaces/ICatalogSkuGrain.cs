using Entitlements.Contracts;

namespace Entitlements;

/// <summary>One catalog entry, keyed by <see cref="Key(Platform, string)"/>.</summary>
[Alias("Entitlements.ICatalogSkuGrain")]
public interface ICatalogSkuGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<CatalogSku?> GetAsync();

    /// <summary>Create or replace the entry; returns it with its new revision.</summary>
    [Alias("Put")]
    Task<CatalogSku> PutAsync(CatalogSku sku);

    static string Key(Platform platform, string sku) => PlatformKey.Format(platform, sku);
}
