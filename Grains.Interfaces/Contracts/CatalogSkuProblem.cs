namespace Entitlements.Contracts;

/// <summary>
/// One thing wrong with a catalog entry (<see cref="CatalogSku.Problems"/>): the member, the field that holds
/// it in the entry's JSON (the catalog route's body and the seed file: <c>["loot_entitlement", "type"]</c>,
/// <c>["custom_data", key]</c>), and what is wrong, worded to follow either name.
/// </summary>
public sealed record CatalogSkuProblem(string Member, IReadOnlyList<string> Field, string Description);
