using System.Text.Json;
using Entitlements.Contracts;
using Entitlements.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Entitlements.Catalog;

/// <summary>Prepares the store at silo start: schema first, then the catalog seed file.</summary>
public sealed partial class CatalogSeeder(ILedgerStore store, IOptions<CatalogOptions> options, IOptions<StorageOptions> storage, ILogger<CatalogSeeder> logger)
{
    /// <summary>
    /// <see cref="RunAsync"/>, again and again while the store is unreachable (a connection failure, not
    /// a bad schema or seed file), for at most <see cref="StorageOptions.StartupWaitSeconds"/>; then the
    /// last failure stops the start, with a message that says what was waited for.
    /// </summary>
    public Task RunWhenReachableAsync(CancellationToken cancellationToken) => StartupPatience.RunAsync(
        storage.Value,
        $"The {storage.Value.Provider} store",
        RunAsync,
        (exception, attempt, pause) => LogStoreUnreachable(logger, exception, attempt, pause.TotalSeconds),
        cancellationToken);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(options.Value.SeedFile))
        {
            return;
        }

        var path = Path.IsPathRooted(options.Value.SeedFile)
            ? options.Value.SeedFile
            : Path.Combine(AppContext.BaseDirectory, options.Value.SeedFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Catalog seed file not found: {path}", path);
        }

        await using var stream = File.OpenRead(path);
        var documents = await JsonSerializer.DeserializeAsync<List<CatalogSkuDocument>>(stream, cancellationToken: cancellationToken)
            ?? throw new InvalidDataException($"Catalog seed file {path} is empty.");
        var entries = documents.Select((document, index) =>
        {
            try
            {
                return document.ToCatalogSku();
            }
            catch (FormatException exception)
            {
                throw new InvalidDataException($"Catalog seed file {path}, entry {index}: {exception.Message}", exception);
            }
        }).ToList();
        var seen = new Dictionary<(Platform, string), int>();
        for (var index = 0; index < entries.Count; index++)
        {
            // The store keeps the first of two and skips the other: one of them would be dropped unnoticed.
            if (!seen.TryAdd((entries[index].Platform, entries[index].Sku), index))
            {
                throw new InvalidDataException(
                    $"Catalog seed file {path}, entry {index}: {WireNames<Platform>.Of(entries[index].Platform)} SKU '{entries[index].Sku}' is also entry {seen[(entries[index].Platform, entries[index].Sku)]}.");
            }
        }

        int inserted;
        try
        {
            inserted = await store.SeedCatalogAsync(entries, cancellationToken);
        }
        catch (InvalidDataException exception)
        {
            // A new entry that disagrees with the catalog (an item with another entitlement type, an XboxLive product
            // id another entry has): nothing is seeded.
            throw new InvalidDataException($"Catalog seed file {path}: {exception.Message} Nothing was seeded.", exception);
        }

        LogSeeded(logger, path, entries.Count, inserted);
    }
}
