using System.Data;
using System.Text.Json;
using Entitlements.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace Entitlements.Storage;

public sealed partial class PostgresLedgerStore
{
    private static readonly JsonSerializerOptions CatalogJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public Task<CatalogSku?> ReadCatalogSkuAsync(Platform platform, string sku, CancellationToken cancellationToken = default) =>
        OnceMoreIfDroppedAsync(async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await ReadCatalogSkuAsync(connection, null, platform, sku, cancellationToken).ConfigureAwait(false);
        });

    private static async Task<CatalogSku?> ReadCatalogSkuAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, Platform platform, string sku, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "SELECT document, revision FROM catalog_skus WHERE platform = @platform AND md5(sku) = md5(@sku) AND sku = @sku;", transaction);
        command.Parameters.Add(Parameter("platform", NpgsqlDbType.Text, platform.ToString()));
        command.Parameters.Add(Parameter("sku", NpgsqlDbType.Text, sku));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadCatalog(reader.GetString(0), reader.GetInt64(1)) : null;
    }

    public async Task<CatalogWriteResult> WriteCatalogSkuAsync(CatalogSku sku, CatalogPrecondition precondition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sku);
        ArgumentNullException.ThrowIfNull(precondition);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        // Every catalog write (and the seed) takes this lock first, so the checks below still hold at the upsert.
        await LockAsync(connection, transaction, CatalogLock, cancellationToken).ConfigureAwait(false);
        var stored = await ReadCatalogSkuAsync(connection, transaction, sku.Platform, sku.Sku, cancellationToken).ConfigureAwait(false);
        if (!precondition.HoldsFor(stored?.Revision))
        {
            return new CatalogWriteResult(CatalogWriteOutcome.PreconditionFailed, stored);
        }

        if (await ReadItemTypeConflictAsync(connection, transaction, sku, cancellationToken).ConfigureAwait(false) is { } otherType)
        {
            return new CatalogWriteResult(CatalogWriteOutcome.ItemTypeConflict, stored, otherType);
        }

        if (await ReadProductIdConflictAsync(connection, transaction, sku, cancellationToken).ConfigureAwait(false) is { } otherProduct)
        {
            return new CatalogWriteResult(CatalogWriteOutcome.ProductIdConflict, stored, otherProduct);
        }

        await using var command = Command(connection, """
            INSERT INTO catalog_skus (platform, sku, revision, document, platform_product_id) VALUES (@platform, @sku, 1, @doc, @product)
            ON CONFLICT (platform, md5(sku)) DO UPDATE SET
                revision = catalog_skus.revision + 1, document = excluded.document, platform_product_id = excluded.platform_product_id
            WHERE catalog_skus.sku = excluded.sku
            RETURNING revision;
            """, transaction);
        BindCatalog(command, sku);
        // No row back only when another SKU of the platform has the same MD5 (the unique key).
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long revision)
        {
            throw new InvalidOperationException($"The {sku.Platform} SKU has the same MD5 as another SKU of the platform; it cannot be written.");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new CatalogWriteResult(CatalogWriteOutcome.Written, sku with { Revision = revision });
    }

    public async Task<int> SeedCatalogAsync(IEnumerable<CatalogSku> skus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skus);
        var entries = skus.ToList();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        await LockAsync(connection, transaction, CatalogLock, cancellationToken).ConfigureAwait(false);
        var inserted = 0;
        foreach (var sku in entries)
        {
            await using var command = Command(
                connection,
                "INSERT INTO catalog_skus (platform, sku, revision, document, platform_product_id) VALUES (@platform, @sku, 1, @doc, @product) ON CONFLICT DO NOTHING;",
                transaction);
            BindCatalog(command, sku);
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                continue;
            }

            // A new entry only: the ones already stored were checked when written (or predate the check).
            if (await ReadItemTypeConflictAsync(connection, transaction, sku, cancellationToken).ConfigureAwait(false) is { } other)
            {
                throw new InvalidDataException(new CatalogWriteResult(CatalogWriteOutcome.ItemTypeConflict, null, other).Describe(sku));
            }

            if (await ReadProductIdConflictAsync(connection, transaction, sku, cancellationToken).ConfigureAwait(false) is { } otherProduct)
            {
                throw new InvalidDataException(new CatalogWriteResult(CatalogWriteOutcome.ProductIdConflict, null, otherProduct).Describe(sku));
            }

            inserted++;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    /// <summary>
    /// An entry (any platform) of the entry's item with another entitlement type, if any: a scan of the
    /// catalog's documents, which only a catalog write (or a seeded new entry) pays. The SKU's own stored entry
    /// counts too (read before the upsert), so a write that keeps its item id cannot change its type. A document holding a NUL
    /// escape (stored before NUL was refused) cannot be read as <c>jsonb</c> and is passed over, as the
    /// schema version 9 upgrade passes it over.
    /// </summary>
    private static async Task<CatalogSku?> ReadItemTypeConflictAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CatalogSku sku, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, """
            SELECT document, revision FROM catalog_skus
            WHERE (CASE WHEN strpos(document, '\u0000') = 0 THEN document::jsonb ->> 'itemId' END) = @item
            ORDER BY platform, sku COLLATE "C";
            """, transaction);
        command.Parameters.Add(Parameter("item", NpgsqlDbType.Text, sku.ItemId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var sameItem = new List<CatalogSku>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sameItem.Add(ReadCatalog(reader.GetString(0), reader.GetInt64(1)));
        }

        return CatalogRules.ItemTypeConflict(sku, sameItem);
    }

    /// <summary>Another entry of the platform with the entry's product id, if that must be unique (XboxLive), on the product index.</summary>
    private static async Task<CatalogSku?> ReadProductIdConflictAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CatalogSku sku, CancellationToken cancellationToken)
    {
        if (!CatalogRules.HasUniqueProductId(sku))
        {
            return null;
        }

        await using var command = Command(connection, """
            SELECT document, revision FROM catalog_skus
            WHERE platform = @platform AND md5(platform_product_id) = md5(@product) AND platform_product_id = @product AND sku <> @sku
            ORDER BY sku COLLATE "C" LIMIT 1;
            """, transaction);
        command.Parameters.Add(Parameter("platform", NpgsqlDbType.Text, sku.Platform.ToString()));
        command.Parameters.Add(Parameter("product", NpgsqlDbType.Text, sku.PlatformProductId));
        command.Parameters.Add(Parameter("sku", NpgsqlDbType.Text, sku.Sku));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadCatalog(reader.GetString(0), reader.GetInt64(1)) : null;
    }

    /// <summary>
    /// A catalog write's values: the entry as its JSON document (without its revision), and its platform product
    /// id again in a column of its own (schema version 9), which the lookup by product id is indexed on.
    /// </summary>
    private static void BindCatalog(NpgsqlCommand command, CatalogSku sku)
    {
        command.Parameters.Add(Parameter("platform", NpgsqlDbType.Text, sku.Platform.ToString()));
        command.Parameters.Add(Parameter("sku", NpgsqlDbType.Text, sku.Sku));
        command.Parameters.Add(Parameter("doc", NpgsqlDbType.Text, JsonSerializer.Serialize(sku with { Revision = 0 }, CatalogJson)));
        command.Parameters.Add(Parameter("product", NpgsqlDbType.Text, sku.PlatformProductId));
    }

    /// <summary>
    /// The platform's catalog entry of product <c>@product</c>, the first by SKU (byte order) when several share
    /// it: on the index of product ids by their MD5 (schema version 9), comparing the id itself too, so the read
    /// costs the entries of that product, not a jsonb parse of every entry of the platform as it did before.
    /// </summary>
    internal const string CatalogSkuByProductIdQuery = """
        SELECT document, revision FROM catalog_skus
        WHERE platform = @platform AND md5(platform_product_id) = md5(@product) AND platform_product_id = @product
        ORDER BY sku COLLATE "C" LIMIT 1;
        """;

    public Task<CatalogSku?> ReadCatalogSkuByProductIdAsync(Platform platform, string productId, CancellationToken cancellationToken = default) =>
        OnceMoreIfDroppedAsync(async () =>
        {
            await using var command = _dataSource.CreateCommand(CatalogSkuByProductIdQuery);
            command.Parameters.Add(Parameter("platform", NpgsqlDbType.Text, platform.ToString()));
            command.Parameters.Add(Parameter("product", NpgsqlDbType.Text, productId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadCatalog(reader.GetString(0), reader.GetInt64(1)) : null;
        });

    private static CatalogSku ReadCatalog(string document, long revision) =>
        (JsonSerializer.Deserialize<CatalogSku>(document, CatalogJson) ?? throw new InvalidDataException("Empty catalog document.")) with { Revision = revision };
}
