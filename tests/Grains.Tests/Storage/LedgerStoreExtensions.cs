using Entitlements.Contracts;
using Entitlements.Storage;

namespace Entitlements.Tests;

/// <summary>The tests' shorthand for a catalog write with no precondition.</summary>
internal static class LedgerStoreExtensions
{
    /// <summary>Create or replace a catalog entry unconditionally; a refusal is an <see cref="InvalidOperationException"/>.</summary>
    public static async Task<CatalogSku> WriteCatalogSkuAsync(this ILedgerStore store, CatalogSku sku, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sku);
        var result = await store.WriteCatalogSkuAsync(sku, CatalogPrecondition.None, cancellationToken).ConfigureAwait(false);
        return result.WrittenOrThrow(sku);
    }
}
