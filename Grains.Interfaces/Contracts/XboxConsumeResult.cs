namespace Entitlements.Contracts;

/// <summary>
/// How a consume call ended and what it granted. A failure can follow grants (Xbox failed mid-way):
/// <see cref="Items"/> then holds what was granted before it, granted for good and never granted again.
/// </summary>
[GenerateSerializer, Immutable, Alias("Entitlements.XboxConsumeResult")]
public sealed record XboxConsumeResult(
    [property: Id(0)] XboxConsumeOutcome Outcome,
    [property: Id(1)] IReadOnlyList<XboxGrantedItem> Items);
