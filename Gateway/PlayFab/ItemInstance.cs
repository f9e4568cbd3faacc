using System.Text.Json.Serialization;

namespace Entitlements.Gateway.PlayFab;

/// <summary>PlayFab's <c>ItemInstance</c>; absent values are left out, except <c>UnitPrice</c> (0 when granted).</summary>
public sealed record ItemInstance
{
    public string? Annotation { get; init; }
    public IReadOnlyList<string>? BundleContents { get; init; }
    public string? BundleParent { get; init; }
    public string? CatalogVersion { get; init; }
    public IReadOnlyDictionary<string, string>? CustomData { get; init; }
    public string? DisplayName { get; init; }
    public string? Expiration { get; init; }
    public string? ItemClass { get; init; }
    public required string ItemId { get; init; }
    public required string ItemInstanceId { get; init; }
    public string? PurchaseDate { get; init; }
    /// <summary>An int32 in PlayFab's schema: a larger balance is sent as <see cref="int.MaxValue"/>.</summary>
    public int? RemainingUses { get; init; }
    public string? UnitCurrency { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long UnitPrice { get; init; }
    /// <summary>An int32 in PlayFab's schema: a larger increment is sent as <see cref="int.MaxValue"/>.</summary>
    public int? UsesIncrementedBy { get; init; }
}
