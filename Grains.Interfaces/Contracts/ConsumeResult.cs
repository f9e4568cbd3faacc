namespace Entitlements.Contracts;

[GenerateSerializer, Immutable, Alias("Entitlements.ConsumeResult")]
public sealed record ConsumeResult(
    [property: Id(0)] ConsumeOutcome Outcome,
    [property: Id(1)] PlayerEntitlement? Entitlement);
