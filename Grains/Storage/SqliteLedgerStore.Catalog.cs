using System.Globalization;
using System.Text.Json;
using Entitlements.Contracts;
using Microsoft.Data.Sqlite;

namespace Entitlements.Storage;

public sealed partial class SqliteLedgerStore
{
    private static readonly JsonSerializerOptions CatalogJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public Task<CatalogSku?> ReadCatalogSkuAsync(Platform platform, string sku, CancellationToken cancellationToken = default) =>
        ReadAsync(connection => ReadCatalogSku(connection, null, platform, sku), cancellationToken);

    private static CatalogSku? ReadCatalogSku(SqliteConnection connection, SqliteTransaction? transaction, Platform platform, string sku)
    {
        using var command = Command(connection, "SELECT document, revision FROM catalog_skus WHERE platform = $platform AND sku = $sku;", transaction);
        command.Parameters.AddWithValue("$platform", platform.ToString());
        command.Parameters.AddWithValue("$sku", sku);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCatalog(reader.GetString(0), reader.GetInt64(1)) : null;
    }

    public Task<CatalogWriteResult> WriteCatalogSkuAsync(CatalogSku sku, CatalogPrecondition precondition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sku);
        ArgumentNullException.ThrowIfNull(precondition);
        // Under the single writer: nothing else writes between the checks and the upsert.
        return WriteAsync(connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var stored = ReadCatalogSku(connection, transaction, sku.Platform, sku.Sku);
            if (!precondition.HoldsFor(stored?.Revision))
            {
                return new CatalogWriteResult(CatalogWriteOutcome.PreconditionFailed, stored);
            }

            if (ReadItemTypeConflict(connection, transaction, sku) is { } otherType)
            {
                return new CatalogWriteResult(CatalogWriteOutcome.ItemTypeConflict, stored, otherType);
            }

            if (ReadProductIdConflict(connection, transaction, sku) is { } otherProduct)
            {
                return new CatalogWriteResult(CatalogWriteOutcome.ProductIdConflict, stored, otherProduct);
            }

            using var command = Command(connection, """
                INSERT INTO catalog_skus (platform, sku, revision, document, platform_product_id) VALUES ($platform, $sku, 1, $doc, $product)
                ON CONFLICT (platform, sku) DO UPDATE SET
                    revision = catalog_skus.revision + 1, document = excluded.document, platform_product_id = excluded.platform_product_id
                RETURNING revision;
                """, transaction);
            BindCatalog(command, sku);
            var revision = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            transaction.Commit();
            return new CatalogWriteResult(CatalogWriteOutcome.Written, sku with { Revision = revision });
        }, cancellationToken);
    }

    public Task<int> SeedCatalogAsync(IEnumerable<CatalogSku> skus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skus);
        var entries = skus.ToList();
        return WriteAsync(connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var inserted = 0;
            foreach (var sku in entries)
            {
                using var command = Command(
                    connection,
                    "INSERT INTO catalog_skus (platform, sku, revision, document, platform_product_id) VALUES ($platform, $sku, 1, $doc, $product) ON CONFLICT DO NOTHING;",
                    transaction);
                BindCatalog(command, sku);
                if (command.ExecuteNonQuery() == 0)
                {
                    continue;
                }

                // A new entry only: the ones already stored were checked when written (or predate the check).
                if (ReadItemTypeConflict(connection, transaction, sku) is { } other)
                {
                    throw new InvalidDataException(new CatalogWriteResult(CatalogWriteOutcome.ItemTypeConflict, null, other).Describe(sku));
                }

                if (ReadProductIdConflict(connection, transaction, sku) is { } otherProduct)
                {
                    throw new InvalidDataException(new CatalogWriteResult(CatalogWriteOutcome.ProductIdConflict, null, otherProduct).Describe(sku));
                }

                inserted++;
            }

            transaction.Commit();
            return inserted;
        }, cancellationToken);
    }

    /// <summary>
    /// An entry (any platform) of the entry's item with another entitlement type, if any: a scan of the
    /// catalog's documents, which only a catalog write (or a seeded new entry) pays. The SKU's own stored entry
    /// counts too (read before the upsert), so a write that keeps its item id cannot change its type.
    /// </summary>
    private static CatalogSku? ReadItemTypeConflict(SqliteConnection connection, SqliteTransaction transaction, CatalogSku sku)
    {
        using var command = Command(connection, """
            SELECT document, revision FROM catalog_skus
            WHERE json_extract(document, '$.itemId') = $item
            ORDER BY platform, sku;
            """, transaction);
        command.Parameters.AddWithValue("$item", sku.ItemId);
        using var reader = command.ExecuteReader();
        var sameItem = new List<CatalogSku>();
        while (reader.Read())
        {
            sameItem.Add(ReadCatalog(reader.GetString(0), reader.GetInt64(1)));
        }

        return CatalogRules.ItemTypeConflict(sku, sameItem);
    }

    /// <summary>Another entry of the platform with the entry's product id, if that must be unique (XboxLive), on the product index.</summary>
    private static CatalogSku? ReadProductIdConflict(SqliteConnection connection, SqliteTransaction transaction, CatalogSku sku)
    {
        if (!CatalogRules.HasUniqueProductId(sku))
        {
            return null;
        }

        using var command = Command(connection, """
            SELECT document, revision FROM catalog_skus INDEXED BY ix_catalog_skus_product
            WHERE platform = $platform AND platform_product_id = $product AND sku <> $sku
            ORDER BY sku LIMIT 1;
            """, transaction);
        command.Parameters.AddWithValue("$platform", sku.Platform.ToString());
        command.Parameters.AddWithValue("$product", sku.PlatformProductId);
        command.Parameters.AddWithValue("$sku", sku.Sku);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCatalog(reader.GetString(0), reader.GetInt64(1)) : null;
    }

    /// <summary>
    /// A catalog write's values: the entry as its JSON document (without its revision), and its platform product
    /// id again in a column of its own (schema version 9), which the lookup by product id is indexed on.
    /// </summary>
    private static void BindCatalog(SqliteCommand command, CatalogSku sku)
    {
        command.Parameters.AddWithValue("$platform", sku.Platform.ToString());
        command.Parameters.AddWithValue("$sku", sku.Sku);
        command.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(sku with { Revision = 0 }, CatalogJson));
        command.Parameters.AddWithValue("$product", (object?)sku.PlatformProductId ?? DBNull.Value);
    }

    /// <summary>
    /// The platform's catalog entry of product <c>$product</c>, the first by SKU when several share it: on the
    /// index of product ids (schema version 9), which holds the SKU too, so the read costs the entries of that
    /// product, not a JSON parse of every entry of the platform as it did before.
    /// </summary>
    internal const string CatalogSkuByProductIdQuery = """
        SELECT document, revision FROM catalog_skus INDEXED BY ix_catalog_skus_product
        WHERE platform = $platform AND platform_product_id = $product
        ORDER BY sku LIMIT 1;
        """;

    public Task<CatalogSku?> ReadCatalogSkuByProductIdAsync(Platform platform, string productId, CancellationToken cancellationToken = default) => ReadAsync(connection =>
    {
        using var command = Command(connection, CatalogSkuByProductIdQuery);
        command.Parameters.AddWithValue("$platform", platform.ToString());
        command.Parameters.AddWithValue("$product", productId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCatalog(reader.GetString(0), reader.GetInt64(1)) : null;
    }, cancellationToken);

    private static CatalogSku ReadCatalog(string document, long revision) =>
        (JsonSerializer.Deserialize<CatalogSku>(document, CatalogJson) ?? throw new InvalidDataException("Empty catalog document.")) with { Revision = revision };
}
