using Entitlements.Contracts;
using Orleans.Concurrency;

namespace Entitlements;

/// <summary>One catalog entry, keyed by <see cref="Key(Platform, string)"/>.</summary>
[Alias("Entitlements.ICatalogSkuGrain")]
public interface ICatalogSkuGrain : IGrainWithStringKey
{
    /// <remarks>Read-only: gets interleave with each other (every grant of a SKU reads its entry), never with a write.</remarks>
    [Alias("Get"), ReadOnly]
    Task<CatalogSku?> GetAsync();

    /// <summary>Create or replace the entry; returns it with its new revision.</summary>
    [Alias("Put")]
    Task<CatalogSku> PutAsync(CatalogSku sku);

    static string Key(Platform platform, string sku) => PlatformKey.Format(platform, sku);
}
