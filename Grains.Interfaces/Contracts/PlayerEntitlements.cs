namespace Entitlements.Contracts;

/// <summary>A player's current entitlements at a ledger version.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.PlayerEntitlements")]
public sealed record PlayerEntitlements(
    [property: Id(0)] Guid PlayerUuid,
    [property: Id(1)] long Version,
    [property: Id(2)] IReadOnlyList<PlayerEntitlement> Entitlements);
