namespace Entitlements.Contracts;

[GenerateSerializer, Immutable, Alias("Entitlements.XboxConsumeResult")]
public sealed record XboxConsumeResult(
    [property: Id(0)] XboxConsumeOutcome Outcome,
    [property: Id(1)] IReadOnlyList<XboxGrantedItem> Items);
