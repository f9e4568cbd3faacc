namespace Entitlements.Gateway.PlayFab;

/// <summary>
/// PlayFab's <c>GetPlayerCombinedInfoResultPayload</c>, answered to a login that sends
/// <c>InfoRequestParameters</c>: only <c>AccountInfo</c>, which PlayFab always retrieves. Inventories,
/// statistics, title, user and virtual-currency data are not served here and are left out, whatever was asked.
/// </summary>
public sealed record GetPlayerCombinedInfoResultPayload(UserAccountInfo AccountInfo);
