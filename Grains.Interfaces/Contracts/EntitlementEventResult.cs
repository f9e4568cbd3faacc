namespace Entitlements.Contracts;

[GenerateSerializer, Immutable, Alias("Entitlements.EntitlementEventResult")]
public sealed record EntitlementEventResult(
    [property: Id(0)] EntitlementEventOutcome Outcome,
    [property: Id(1)] EntitlementEventRecord? Event);
