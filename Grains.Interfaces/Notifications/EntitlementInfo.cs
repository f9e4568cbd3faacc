using System.Text.Json.Serialization;
using Entitlements.Contracts;

namespace Entitlements.Notifications;

/// <summary>
/// AccelByte's <c>EntitlementInfo</c>: field names and enum spellings as AccelByte's platform service
/// has them. Ids are written as 32 hex digits, as AccelByte writes its own. The same shape is the
/// player entitlements listing and each item of an <c>entitlementUpdated</c> notification's <c>data</c>.
/// The fields AccelByte does not require (<c>sku</c>, <c>startDate</c>, <c>endDate</c>, <c>collectionId</c>,
/// <c>stackedUseCount</c>) are left out when they have no value, never written as null: AccelByte's Unity
/// SDK reads <c>startDate</c> and <c>endDate</c> into a non-nullable <c>DateTime</c> (and
/// <c>stackedUseCount</c>, in its stackable shape, into an <c>int</c>) with Json.NET, which fails the whole
/// message on a null there.
/// </summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.EntitlementInfo")]
public sealed record EntitlementInfo
{
    [Id(0), JsonPropertyName("id")] public required string Id { get; init; }
    [Id(1), JsonPropertyName("namespace")] public required string Namespace { get; init; }
    [Id(2), JsonPropertyName("clazz")] public required string Clazz { get; init; }
    [Id(3), JsonPropertyName("type")] public required string Type { get; init; }
    [Id(4), JsonPropertyName("status")] public required string Status { get; init; }
    [Id(5), JsonPropertyName("sku"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Sku { get; init; }
    [Id(6), JsonPropertyName("userId")] public required string UserId { get; init; }
    [Id(7), JsonPropertyName("itemId")] public required string ItemId { get; init; }
    [Id(8), JsonPropertyName("itemNamespace")] public required string ItemNamespace { get; init; }
    [Id(9), JsonPropertyName("name")] public required string Name { get; init; }
    [Id(10), JsonPropertyName("useCount")] public required long UseCount { get; init; }
    [Id(11), JsonPropertyName("source")] public required string Source { get; init; }
    [Id(12), JsonPropertyName("startDate"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? StartDate { get; init; }
    [Id(13), JsonPropertyName("endDate"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? EndDate { get; init; }
    [Id(14), JsonPropertyName("grantedAt")] public required string GrantedAt { get; init; }
    [Id(15), JsonPropertyName("createdAt")] public required string CreatedAt { get; init; }
    [Id(16), JsonPropertyName("updatedAt")] public required string UpdatedAt { get; init; }
    [Id(17), JsonPropertyName("collectionId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CollectionId { get; init; }
    [Id(18), JsonPropertyName("stackable")] public required bool Stackable { get; init; }
    [Id(19), JsonPropertyName("stackedUseCount"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? StackedUseCount { get; init; }

    /// <summary>
    /// A count as AccelByte's schemas type it, int32 (<c>useCount</c>, <c>stackedUseCount</c>, the quantities
    /// of <c>revocationCompleted</c>): a balance beyond that range is sent at its bound, which the clients
    /// generated from those schemas can read. The ledger keeps the whole number.
    /// </summary>
    public static long ClampCount(long value) => Math.Clamp(value, int.MinValue, int.MaxValue);

    /// <summary>AccelByte's 32-hex-digit spelling of one of our ids (a UUID); other ids are kept as they are.</summary>
    public static string HexId(string id) => Guid.TryParse(id, out var uuid) ? uuid.ToString("N") : id;

    public static EntitlementInfo From(PlayerEntitlement entitlement, string ns)
    {
        ArgumentNullException.ThrowIfNull(entitlement);
        var consumable = entitlement.Type == EntitlementType.Consumable;
        return new EntitlementInfo
        {
            Id = HexId(entitlement.EntitlementId),
            Namespace = ns,
            Clazz = WireNames<EntitlementClazz>.Of(entitlement.Clazz),
            Type = consumable ? "CONSUMABLE" : "DURABLE",
            Status = WireNames<EntitlementStatus>.Of(entitlement.Status),
            Sku = entitlement.Sku,
            UserId = entitlement.PlayerUuid.ToString("N"),
            ItemId = entitlement.ItemId,
            ItemNamespace = ns,
            Name = entitlement.Name,
            UseCount = ClampCount(entitlement.UseCount),
            Source = "PURCHASE",
            GrantedAt = AccelByteTime.Format(entitlement.GrantedAt),
            CreatedAt = AccelByteTime.Format(entitlement.CreatedAt),
            UpdatedAt = AccelByteTime.Format(entitlement.UpdatedAt),
            Stackable = consumable,
            StackedUseCount = consumable ? ClampCount(entitlement.UseCount) : null,
        };
    }
}
