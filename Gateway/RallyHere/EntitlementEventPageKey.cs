namespace Entitlements.Gateway.RallyHere;

/// <summary>What selects one page of the entitlement-event listing.</summary>
public readonly record struct EntitlementEventPageKey(Guid? PlayerUuid, long? PlayerId, string? Cursor, int Limit);
