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
        List<CatalogSkuDocument?> documents;
        try
        {
            documents = await JsonSerializer.DeserializeAsync<List<CatalogSkuDocument?>>(stream, cancellationToken: cancellationToken)
                ?? throw new InvalidDataException($"Catalog seed file {path} is empty.");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"Catalog seed file {path}{Where(exception)}: {Reason(exception)}", exception);
        }

        var entries = documents.Select((document, index) =>
        {
            try
            {
                return document?.ToCatalogSku() ?? throw new FormatException("the entry is null, not an object.");
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

    /// <summary>
    /// The entry and field a reader's failure is at, from its JSON path (<c>$[3].loot_entitlement.loot_id</c>
    /// gives <c>, entry 3, loot_entitlement.loot_id</c>), and its line: an entry whose value has the wrong type (a
    /// null or a string where a number belongs) is named as the checks after reading name theirs.
    /// </summary>
    private static string Where(JsonException exception)
    {
        var where = string.Empty;
        if (exception.Path is { } jsonPath && jsonPath.StartsWith("$[", StringComparison.Ordinal) && jsonPath.IndexOf(']', StringComparison.Ordinal) is > 2 and var end)
        {
            where = $", entry {jsonPath[2..end]}";
            if (jsonPath[(end + 1)..].TrimStart('.') is { Length: > 0 } field)
            {
                where += $", {field}";
            }
        }

        return exception.LineNumber is { } line ? $"{where} (line {line + 1})" : where;
    }

    /// <summary>The reader's own message without the position it appends (<see cref="Where"/> says it).</summary>
    private static string Reason(JsonException exception)
    {
        var message = exception.Message;
        var position = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return position > 0 ? message[..position] : message;
    }
}
