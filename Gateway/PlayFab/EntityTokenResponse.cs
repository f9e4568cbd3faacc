namespace Entitlements.Gateway.PlayFab;

/// <summary>
/// PlayFab's <c>EntityTokenResponse</c>. No entity API is served here: the token is the session ticket
/// itself, so it allows nothing the ticket does not, and expires when the ticket does.
/// </summary>
public sealed record EntityTokenResponse(string EntityToken, string TokenExpiration, EntityKey Entity);
