namespace Entitlements.Gateway.PlayFab;

/// <summary>
/// PlayFab's <c>GetPlayerCombinedInfoResultPayload</c>, answered to a login that sends
/// <c>InfoRequestParameters</c>: <c>AccountInfo</c>, which PlayFab always retrieves, and the two fields its schema
/// requires. Inventories, statistics, title, user and virtual-currency data are not served here and are left out,
/// whatever was asked.
/// </summary>
/// <param name="AccountInfo">The player's account.</param>
/// <param name="UserDataVersion">
/// Required (a uint32) in PlayFab's schema, so always sent: 0, as no user data is kept. A client generated from the
/// schema (NSwag with Newtonsoft's <c>Required.Always</c>) refuses a payload without it.
/// </param>
/// <param name="UserReadOnlyDataVersion">Required as <paramref name="UserDataVersion"/> is, and 0 for the same reason.</param>
public sealed record GetPlayerCombinedInfoResultPayload(UserAccountInfo AccountInfo, uint UserDataVersion = 0, uint UserReadOnlyDataVersion = 0);
