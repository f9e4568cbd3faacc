namespace Entitlements.Contracts;

[GenerateSerializer, Immutable, Alias("Entitlements.PlayerInfo")]
public sealed record PlayerInfo(
    [property: Id(0)] Guid PlayerUuid,
    [property: Id(1)] long PlayerId,
    [property: Id(2)] DateTimeOffset Created);
