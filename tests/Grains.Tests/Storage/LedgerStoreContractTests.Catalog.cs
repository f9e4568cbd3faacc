using Entitlements.Contracts;
using Entitlements.Storage;

namespace Entitlements.Tests.Storage;

/// <summary>Catalog writes' conditions: the precondition on the stored revision, checked in the write's transaction.</summary>
public abstract partial class LedgerStoreContractTests
{
    private static readonly CatalogPrecondition IfRevisionOne = new() { IfMatch = new CatalogRevisions { Revisions = [1] } };

    [Fact]
    public async Task WriteCatalogSkuAsync_IfMatchStaleRevision_WritesNothingAndReturnsTheStoredEntry()
    {
        var stored = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Gems"));
        await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Edited"));

        var result = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Stale"), IfRevisionOne);

        Assert.Equal(CatalogWriteOutcome.PreconditionFailed, result.Outcome);
        Assert.Equal(stored with { ItemName = "Edited", Revision = 2, CustomData = result.Entry!.CustomData }, result.Entry);
        var read = await Store.ReadCatalogSkuAsync(Platform.Steam, "gems-pack");
        Assert.Equal(("Edited", 2L), (read!.ItemName, read.Revision));
    }

    [Fact]
    public async Task WriteCatalogSkuAsync_IfMatchOrIfNoneMatch_AgreeWithTheStoredRevision()
    {
        var any = new CatalogRevisions { Any = true };
        var missingIfMatchAny = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Gems"), new CatalogPrecondition { IfMatch = any });
        var created = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Gems"), new CatalogPrecondition { IfNoneMatch = any });
        var existingIfNoneMatchAny = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Again"), new CatalogPrecondition { IfNoneMatch = any });
        var matching = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Edited"), IfRevisionOne);
        var existingIfMatchAny = await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Edited again"), new CatalogPrecondition { IfMatch = any });

        Assert.Equal((CatalogWriteOutcome.PreconditionFailed, (CatalogSku?)null), (missingIfMatchAny.Outcome, missingIfMatchAny.Entry));
        Assert.Equal((CatalogWriteOutcome.Written, 1L), (created.Outcome, created.Entry!.Revision));
        Assert.Equal((CatalogWriteOutcome.PreconditionFailed, "Gems", 1L), (existingIfNoneMatchAny.Outcome, existingIfNoneMatchAny.Entry!.ItemName, existingIfNoneMatchAny.Entry.Revision));
        Assert.Equal((CatalogWriteOutcome.Written, "Edited", 2L), (matching.Outcome, matching.Entry!.ItemName, matching.Entry.Revision));
        Assert.Equal((CatalogWriteOutcome.Written, 3L), (existingIfMatchAny.Outcome, existingIfMatchAny.Entry!.Revision));
    }

    [Fact]
    public async Task WriteCatalogSkuAsync_ConcurrentWritesFromTwoStoresIfMatchTheSameRevision_OnlyOneIsWritten()
    {
        // As two silos would: each write reads the revision and upserts; only one of them may see revision 1.
        await Store.WriteCatalogSkuAsync(CatalogEntry("gems-pack", "Gems"));
        var other = await OpenAsync();
        await other.InitializeAsync();
        try
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
                (i % 2 == 0 ? Store : other).WriteCatalogSkuAsync(CatalogEntry("gems-pack", $"Writer {i}"), IfRevisionOne)));

            var written = Assert.Single(results, result => result.Outcome == CatalogWriteOutcome.Written);
            Assert.All(results.Where(result => result != written), result => Assert.Equal(CatalogWriteOutcome.PreconditionFailed, result.Outcome));
            var read = await Store.ReadCatalogSkuAsync(Platform.Steam, "gems-pack");
            Assert.Equal((written.Entry!.ItemName, 2L), (read!.ItemName, read.Revision));
        }
        finally
        {
            await CloseAsync(other);
        }
    }
}
