namespace Entitlements.Gateway.Auth;

/// <summary>
/// Endpoint metadata: the permission a route needs. <see cref="SelfAllowed"/>: a player's own token may
/// call it for that same player (the route's <c>player_uuid</c>) without the permission.
/// </summary>
public sealed record PermissionRequirement(string Permission, bool SelfAllowed = false);
