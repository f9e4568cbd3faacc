namespace Entitlements.Contracts;

/// <summary>
/// What a platform SKU grants. Keyed by (<see cref="Platform"/>, <see cref="Sku"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("Entitlements.CatalogSku")]
public sealed record CatalogSku
{
    /// <summary>The <see cref="Clazz"/> of an entry that gives none.</summary>
    public const EntitlementClazz DefaultClazz = EntitlementClazz.Entitlement;

    /// <summary>The <see cref="UnitsPerQuantity"/> of an entry that gives none.</summary>
    public const long DefaultUnitsPerQuantity = 1;

    /// <summary>The <see cref="RevocationPolicy"/> of an entry that gives none.</summary>
    public const RevocationPolicy DefaultRevocationPolicy = RevocationPolicy.RevokeOrReport;

    [Id(0)] public required Platform Platform { get; init; }
    [Id(1)] public required string Sku { get; init; }
    [Id(2)] public required EntitlementType EntitlementType { get; init; }

    /// <summary>The item the SKU grants.</summary>
    [Id(3)] public required string ItemId { get; init; }
    [Id(4)] public required string ItemName { get; init; }

    /// <summary>The game's own item class (PlayFab's <c>ItemClass</c>), free text.</summary>
    [Id(5)] public string? ItemClass { get; init; }
    [Id(6)] public EntitlementClazz Clazz { get; init; } = DefaultClazz;

    /// <summary>Units of the item granted per unit of an event's quantity (consumables).</summary>
    [Id(7)] public long UnitsPerQuantity { get; init; } = DefaultUnitsPerQuantity;
    [Id(8)] public RevocationPolicy RevocationPolicy { get; init; } = DefaultRevocationPolicy;

    /// <summary>The store's own product id (for XboxLive, the Xbox store product id).</summary>
    [Id(9)] public string? PlatformProductId { get; init; }
    [Id(10)] public IReadOnlyDictionary<string, string> CustomData { get; init; } = new Dictionary<string, string>();
    [Id(11)] public long? LootId { get; init; }
    [Id(12)] public long? RefundLootId { get; init; }
    [Id(13)] public long? ChargebackLootId { get; init; }
    [Id(14)] public long? ChargebackReversalLootId { get; init; }

    /// <summary>Increases on every change; doubles as the HTTP ETag.</summary>
    [Id(15)] public long Revision { get; init; }

    /// <summary>The loot id RallyHere associates with an action on this SKU.</summary>
    public long? LootIdFor(EntitlementActionType action) => action switch
    {
        EntitlementActionType.Grant => LootId,
        EntitlementActionType.Refund => RefundLootId,
        EntitlementActionType.Chargeback => ChargebackLootId,
        EntitlementActionType.ChargebackReversal => ChargebackReversalLootId,
        _ => null,
    };

    /// <summary>The longest <see cref="Sku"/>, in characters (<see cref="StoredText.Length"/>): an event's SKU may be as long.</summary>
    public const int MaxSkuLength = 2048;

    /// <summary>The longest <see cref="ItemId"/>, <see cref="ItemName"/>, <see cref="ItemClass"/> and <see cref="PlatformProductId"/>, in characters.</summary>
    public const int MaxTextLength = 256;

    /// <summary>The most units a unit of an event's quantity may grant (the least is 1).</summary>
    public const long MaxUnitsPerQuantity = 1_000_000_000;

    /// <summary>
    /// The least loot id (<see cref="LootId"/> and the other three): RallyHere's schema types an event's
    /// <c>loot_id</c> a plain <c>integer</c>, which its generated Unreal SDK and NSwag's C# read as a 32-bit
    /// <c>int</c>, and every event of the SKU carries one.
    /// </summary>
    public const long MinLootId = int.MinValue;

    /// <summary>The most loot id, for the reason given at <see cref="MinLootId"/>.</summary>
    public const long MaxLootId = int.MaxValue;

    /// <summary>
    /// The most bytes <see cref="CustomData"/> may take as JSON: one object of its keys and values, no whitespace,
    /// strings in their own characters (UTF-8; only a quote, a backslash or a control character escaped, as
    /// <see cref="CanonicalJson"/> writes them). As many as the catalog route's whole body may have (its limit,
    /// 299,008 bytes, an event's), where the custom data is written in at least as many: no entry the route takes
    /// is over it. An Orleans client has no body limit, and an entry of megabytes would be carried by every
    /// read of the SKU (each grant decided with it, each cached copy).
    /// </summary>
    public const int MaxCustomDataBytes = 299_008;

    /// <summary>
    /// Refuse an entry the catalog does not take, with an <see cref="ArgumentException"/> naming the member: the
    /// first of <see cref="Problems"/>. The grain checks every write with it, before anything is written.
    /// </summary>
    public void ThrowIfInvalid()
    {
        if (Problems().FirstOrDefault() is { } problem)
        {
            throw new ArgumentException($"{problem.Member} {problem.Description}", problem.Member);
        }
    }

    /// <summary>
    /// What is wrong with the entry, member by member in declaration order: the one set of rules of a catalog
    /// entry, which the catalog route, the seed file and <see cref="ICatalogSkuGrain"/> all apply (each
    /// answering in its own words), so that none of them stores an entry another refuses. An enum value that
    /// is not defined, a required text that is null or empty, a text over its length or that the ledger cannot
    /// store (<see cref="StoredText"/>), <see cref="UnitsPerQuantity"/> outside 1 to
    /// <see cref="MaxUnitsPerQuantity"/>, null custom data (or a null value in it), custom data over
    /// <see cref="MaxCustomDataBytes"/>, no
    /// <see cref="LootId"/> (the route requires <c>loot_entitlement.loot_id</c>), and a loot id outside
    /// <see cref="MinLootId"/> to <see cref="MaxLootId"/>. What an entry must agree on
    /// with the others (an item's type, an XboxLive product id) is checked by the store, in the write.
    /// </summary>
    public IEnumerable<CatalogSkuProblem> Problems() => Checks().OfType<CatalogSkuProblem>();

    /// <summary>Each member's check, in declaration order: null where it passes.</summary>
    private IEnumerable<CatalogSkuProblem?> Checks()
    {
        yield return Defined(Platform, nameof(Platform), "platform");
        yield return Text(Sku, nameof(Sku), ["sku"], 1, MaxSkuLength);
        yield return Defined(EntitlementType, nameof(EntitlementType), "loot_entitlement", "type");
        yield return Text(ItemId, nameof(ItemId), ["item_id"], 1, MaxTextLength);
        yield return Text(ItemName, nameof(ItemName), ["item_name"], 1, MaxTextLength);
        yield return ItemClass is null ? null : Text(ItemClass, nameof(ItemClass), ["item_class"], 0, MaxTextLength);
        yield return Defined(Clazz, nameof(Clazz), "clazz");
        yield return UnitsPerQuantity is < 1 or > MaxUnitsPerQuantity
            ? new CatalogSkuProblem(nameof(UnitsPerQuantity), ["units_per_quantity"], $"must be from 1 to {MaxUnitsPerQuantity}; it is {UnitsPerQuantity}.")
            : null;
        yield return Defined(RevocationPolicy, nameof(RevocationPolicy), "revocation_policy");
        yield return PlatformProductId is null ? null : Text(PlatformProductId, nameof(PlatformProductId), ["platform_product_id"], 0, MaxTextLength);
        if (CustomData is null)
        {
            yield return new CatalogSkuProblem(nameof(CustomData), ["custom_data"], "must not be null.");
        }
        else
        {
            foreach (var (key, value) in CustomData)
            {
                yield return StoredText.Problem(key) is { } badKey ? new CatalogSkuProblem("A CustomData key", ["custom_data", key, "[key]"], badKey) : null;
                yield return Text(value, $"CustomData[{key}]", ["custom_data", key], 0, int.MaxValue);
            }

            var bytes = CustomDataBytes(CustomData);
            yield return bytes > MaxCustomDataBytes
                ? new CatalogSkuProblem(nameof(CustomData), ["custom_data"], $"must have at most {MaxCustomDataBytes} bytes of JSON; it has {bytes}.")
                : null;
        }

        yield return LootId is null
            ? new CatalogSkuProblem(nameof(LootId), ["loot_entitlement", "loot_id"], "must not be null: an entry has the loot id of its grants.")
            : LootIdRange(LootId, nameof(LootId), "loot_id");
        yield return LootIdRange(RefundLootId, nameof(RefundLootId), "refund_loot_id");
        yield return LootIdRange(ChargebackLootId, nameof(ChargebackLootId), "chargeback_loot_id");
        yield return LootIdRange(ChargebackReversalLootId, nameof(ChargebackReversalLootId), "chargeback_reversal_loot_id");

        static CatalogSkuProblem? LootIdRange(long? value, string member, string field) => value is < MinLootId or > MaxLootId
            ? new CatalogSkuProblem(member, ["loot_entitlement", field], $"must be from {MinLootId} to {MaxLootId}; it is {value}.")
            : null;

        // The object's braces, and each entry's key, colon and value, with a comma between entries.
        static long CustomDataBytes(IReadOnlyDictionary<string, string> data) =>
            2 + Math.Max(0, data.Count - 1) + data.Sum(pair => CanonicalJson.StringByteCount(pair.Key) + 1 + (pair.Value is null ? 4 : CanonicalJson.StringByteCount(pair.Value)));

        static CatalogSkuProblem? Text(string? value, string member, IReadOnlyList<string> field, int minLength, int maxLength)
        {
            if (value is null)
            {
                return new CatalogSkuProblem(member, field, "must not be null.");
            }

            var length = StoredText.Length(value);
            if (length < minLength || length > maxLength)
            {
                return new CatalogSkuProblem(
                    member,
                    field,
                    minLength > 0 ? $"must have from {minLength} to {maxLength} characters; it has {length}." : $"must have at most {maxLength} characters; it has {length}.");
            }

            return StoredText.Problem(value) is { } problem ? new CatalogSkuProblem(member, field, problem) : null;
        }

        static CatalogSkuProblem? Defined<T>(T value, string member, params string[] field) where T : struct, Enum =>
            Enum.IsDefined(value)
                ? null
                : new CatalogSkuProblem(member, field, $"is {Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)}, which is not a value of {typeof(T).Name}.");
    }
}
