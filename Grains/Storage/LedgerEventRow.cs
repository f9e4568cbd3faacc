using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Notifications;

namespace Entitlements.Storage;

/// <summary>
/// How a ledger event maps onto a row of <c>ledger_events</c>, the same for every engine: the selected
/// columns, the value of each inserted column, and the event read back from a row. An engine only
/// turns <see cref="LedgerColumnType"/> into its own parameter types.
/// </summary>
internal static class LedgerEventRow
{
    /// <summary>
    /// Both engines' condition for an event that carries a notification: most carry <c>entitlementUpdated</c>
    /// (and a revocation also <c>revocationCompleted</c>); a refund or chargeback that took nothing carries
    /// only <c>revocationCompleted</c>.
    /// </summary>
    public const string NotifyingWhere = "(entitlement_updated IS NOT NULL OR revocation_completed IS NOT NULL)";

    /// <summary>
    /// One player's notifying events after a sequence, on the player's version index (there is no index by
    /// player and sequence), with parameters <c>p</c> (the player), <c>after</c> and <c>limit</c> named with
    /// the engine's <paramref name="prefix"/> (<c>$</c> for SQLite, <c>@</c> for PostgreSQL). A player's
    /// versions and sequences grow together, so version order is sequence order, and the index walk starts
    /// after the player's last event at or before <c>after</c>: found at once when the event at <c>after</c>
    /// or at <c>after + 1</c> is the player's own (a position from this player's feed, or the one just before
    /// it), else by walking the player's versions down from the newest to the first at or before <c>after</c>
    /// (only the events the read returns, and one more: a player who got nothing since a position elsewhere in
    /// the feed, a silent connection's head, costs one entry, not the player's whole history).
    /// <c>seq &gt; after</c> decides either way.
    /// </summary>
    public static string PlayerFeedWhere(char prefix) => $"""
        WHERE player_uuid = {prefix}p AND {NotifyingWhere} AND seq > {prefix}after
          AND version >= COALESCE(
              (SELECT version + 1 FROM ledger_events WHERE seq = {prefix}after AND player_uuid = {prefix}p),
              (SELECT version FROM ledger_events WHERE seq = {prefix}after + 1 AND player_uuid = {prefix}p),
              (SELECT version + 1 FROM ledger_events WHERE player_uuid = {prefix}p AND version IS NOT NULL AND seq <= {prefix}after ORDER BY version DESC LIMIT 1),
              0)
        ORDER BY version LIMIT {prefix}limit
        """;

    /// <summary>
    /// The columns <see cref="ReadListed"/> expects, in its order: all but the notification messages, which a
    /// listing of events never returns (decoding their JSON was most of the cost of reading a row).
    /// </summary>
    public const string ListedColumns = """
        seq, event_id, kind, player_uuid, version, created_us, last_modified_us, request_fingerprint, operation_id,
        action_type, status, entitlement_type, player_id, platform, platform_user_id, sku, quantity, platform_transaction_id,
        platform_data, order_id, loot_id,
        item_id, item_name, item_class, item_clazz, item_type, item_sku, units, shortfall, revocation_policy, change
        """;

    /// <summary>The columns <see cref="Read"/> expects, in its order: <see cref="ListedColumns"/>, then the notification messages.</summary>
    public const string SelectColumns = ListedColumns + """
        ,
        entitlement_updated, revocation_completed
        """;

    /// <summary>Every inserted column (all but <c>seq</c>), in <see cref="SelectColumns"/> order and the order of <see cref="Values"/>.</summary>
    public const string InsertColumns = """
        event_id, kind, player_uuid, version, created_us, last_modified_us, request_fingerprint, operation_id,
        action_type, status, entitlement_type, player_id, platform, platform_user_id, sku, quantity, platform_transaction_id,
        platform_data, order_id, loot_id,
        item_id, item_name, item_class, item_clazz, item_type, item_sku, units, shortfall, revocation_policy, change,
        entitlement_updated, revocation_completed
        """;

    /// <summary>One parameter per column of <see cref="InsertColumns"/>, named after it with the engine's <paramref name="prefix"/>.</summary>
    public static string InsertParameters(char prefix) =>
        string.Join(", ", InsertColumns.Split(',', StringSplitOptions.TrimEntries).Select(column => prefix + column));

    /// <summary>Every inserted column (all but <c>seq</c>) with its value, in <see cref="SelectColumns"/> order.</summary>
    public static IReadOnlyList<LedgerColumnValue> Values(LedgerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var record = e.Entitlement;
        var effect = e.Effect;
        var xbox = e.XboxConsume;
        static LedgerColumnValue Text(string name, string? value) => new(name, LedgerColumnType.Text, value);
        static LedgerColumnValue Long(string name, long? value) => new(name, LedgerColumnType.BigInt, value);
        return
        [
            Text("event_id", e.EventId),
            new("kind", LedgerColumnType.SmallInt, (short)e.Kind),
            new("player_uuid", LedgerColumnType.Uuid, e.PlayerUuid),
            Long("version", e.Version),
            Long("created_us", Time.ToMicros(e.Created)),
            Long("last_modified_us", Time.ToMicros(record?.LastModified ?? e.Created)),
            Text("request_fingerprint", e.RequestFingerprint),
            Text("operation_id", e.OperationId),
            Text("action_type", StoredEnum.Name(record?.ActionType)),
            Text("status", StoredEnum.Name(record?.Status)),
            Text("entitlement_type", StoredEnum.Name(record?.EntitlementType)),
            Long("player_id", record?.PlayerId),

            // An Xbox consume, started or refused, keeps its fields in the entitlement columns (kinds 2 and 3 are
            // outside the transaction key).
            Text("platform", xbox is null ? StoredEnum.Name(record?.Platform) : nameof(Platform.XboxLive)),
            Text("platform_user_id", xbox?.Xuid ?? record?.PlatformUserId),
            Text("sku", xbox?.Sku ?? record?.Sku),
            Long("quantity", xbox?.Quantity ?? record?.Quantity),
            Text("platform_transaction_id", xbox?.TrackingId ?? record?.PlatformTransactionId),
            Text("platform_data", xbox is null ? record?.PlatformDataJson : JsonSerializer.Serialize(new XboxConsumeData(xbox.XboxItemId, xbox.ProductId, xbox.ProductKind))),
            Text("order_id", record?.OrderId),
            Long("loot_id", record?.LootId),
            Text("item_id", effect?.ItemId),
            Text("item_name", effect?.ItemName),
            Text("item_class", effect?.ItemClass),
            Text("item_clazz", StoredEnum.Name(effect?.Clazz)),
            Text("item_type", StoredEnum.Name(effect?.Type)),
            Text("item_sku", effect?.Sku),
            Long("units", effect?.Units),
            Long("shortfall", effect?.Shortfall),
            Text("revocation_policy", StoredEnum.Name(effect?.Policy)),
            Text("change", StoredEnum.Name(effect?.Change)),
            Text("entitlement_updated", e.EntitlementUpdated is { } updated ? NotificationJson.Serialize(updated) : null),
            Text("revocation_completed", e.RevocationCompleted is { } revoked ? NotificationJson.Serialize(revoked) : null),
        ];
    }

    /// <summary>The event in the current row of a reader over <see cref="SelectColumns"/>, with its notification messages.</summary>
    public static LedgerEvent Read(DbDataReader r) => Read(r, withNotifications: true);

    /// <summary>
    /// The event in the current row of a reader over <see cref="ListedColumns"/>, as appended but for its
    /// notification messages, which stay null.
    /// </summary>
    public static LedgerEvent ReadListed(DbDataReader r) => Read(r, withNotifications: false);

    // Each column is read once, and a column that is never null without asking first: on SQLite every
    // question about a column is a native call.
    private static LedgerEvent Read(DbDataReader r, bool withNotifications)
    {
        ArgumentNullException.ThrowIfNull(r);
        var playerUuid = r.GetValue(3) switch
        {
            DBNull => (Guid?)null,
            Guid uuid => uuid,
            var text => Guid.Parse((string)text, CultureInfo.InvariantCulture),
        };
        var eventId = r.GetString(1);
        var version = NullableLong(r, 4);
        var created = Time.FromMicros(r.GetInt64(5));
        var kind = (LedgerEventKind)r.GetInt16(2);
        EntitlementEventRecord? record = null;
        XboxConsumeStarted? xbox = null;
        if (kind == LedgerEventKind.EntitlementEvent)
        {
            record = new EntitlementEventRecord
            {
                EventId = eventId,
                PlayerUuid = playerUuid,
                Version = version,
                Created = created,
                LastModified = Time.FromMicros(r.GetInt64(6)),
                ActionType = StoredEnum.Parse<EntitlementActionType>(r.GetString(9)),
                Status = StoredEnum.Parse<EntitlementEventStatus>(r.GetString(10)),
                EntitlementType = StoredEnum.ParseNullable<EntitlementType>(NullableText(r, 11)),
                PlayerId = NullableLong(r, 12),
                Platform = StoredEnum.Parse<Platform>(r.GetString(13)),
                PlatformUserId = r.GetString(14),
                Sku = r.GetString(15),
                Quantity = r.GetInt64(16),
                PlatformTransactionId = r.GetString(17),
                PlatformDataJson = NullableText(r, 18),
                OrderId = NullableText(r, 19),
                LootId = NullableLong(r, 20),
            };
        }
        else if (kind is LedgerEventKind.XboxConsumeStarted or LedgerEventKind.XboxConsumeRefused)
        {
            xbox = ReadXboxConsume(r);
        }

        LedgerEffect? effect = null;
        if (NullableText(r, 21) is { } itemId)
        {
            effect = new LedgerEffect
            {
                ItemId = itemId,
                ItemName = r.GetString(22),
                ItemClass = NullableText(r, 23),
                Clazz = StoredEnum.Parse<EntitlementClazz>(r.GetString(24)),
                Type = StoredEnum.Parse<EntitlementType>(r.GetString(25)),
                Sku = NullableText(r, 26),
                Units = r.GetInt64(27),
                Shortfall = NullableLong(r, 28) ?? 0,
                Policy = StoredEnum.ParseNullable<RevocationPolicy>(NullableText(r, 29)) ?? RevocationPolicy.RevokeOrReport,
                Change = StoredEnum.Parse<LedgerChange>(r.GetString(30)),
            };
        }

        return new LedgerEvent
        {
            Sequence = r.GetInt64(0),
            EventId = eventId,
            Kind = kind,
            PlayerUuid = playerUuid,
            Version = version,
            Created = created,
            RequestFingerprint = NullableText(r, 7),
            OperationId = NullableText(r, 8),
            Entitlement = record,
            Effect = effect,
            EntitlementUpdated = withNotifications && NullableText(r, 31) is { } updated ? NotificationJson.DeserializeEntitlementUpdated(updated) : null,
            RevocationCompleted = withNotifications && NullableText(r, 32) is { } revoked ? NotificationJson.DeserializeRevocationCompleted(revoked) : null,
            XboxConsume = xbox,
        };
    }

    private static string? NullableText(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static long? NullableLong(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetInt64(ordinal);

    private static XboxConsumeStarted ReadXboxConsume(DbDataReader r)
    {
        var data = JsonSerializer.Deserialize<XboxConsumeData>(r.GetString(18)) ?? throw new InvalidDataException("Empty Xbox consume data.");
        return new XboxConsumeStarted
        {
            TrackingId = r.GetString(17),
            Xuid = r.GetString(14),
            XboxItemId = data.XboxItemId,
            ProductId = data.ProductId,
            ProductKind = data.ProductKind,
            Sku = r.GetString(15),
            Quantity = r.GetInt64(16),
        };
    }

    private sealed record XboxConsumeData(string XboxItemId, string ProductId, string ProductKind);
}
