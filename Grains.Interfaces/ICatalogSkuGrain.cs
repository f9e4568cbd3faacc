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

    /// <summary>
    /// Create or replace the entry; returns it with its new revision. An entry the catalog does not take
    /// (<see cref="CatalogSku.Problems"/>, the rules of the catalog route and the seed file), or that is not
    /// this grain's (<see cref="Key"/> of its platform and SKU), is an <see cref="ArgumentException"/> naming
    /// the member; a disagreement with another entry is an <see cref="InvalidOperationException"/>. Either
    /// way nothing is written.
    /// </summary>
    [Alias("Put")]
    Task<CatalogSku> PutAsync(CatalogSku sku);

    /// <summary>
    /// Create or replace the entry when <paramref name="precondition"/> holds for its stored revision (checked by
    /// the store in the write's transaction); else nothing is written and the result says why. The entry is
    /// refused as by <see cref="PutAsync(CatalogSku)"/> first.
    /// </summary>
    [Alias("PutIf")]
    Task<CatalogWriteResult> PutAsync(CatalogSku sku, CatalogPrecondition precondition);

    static string Key(Platform platform, string sku) => PlatformKey.Format(platform, sku);
}
