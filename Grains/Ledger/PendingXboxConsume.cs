namespace Entitlements.Ledger;

/// <summary>A started Xbox consume with neither a grant nor a refusal yet, and when its started row was recorded.</summary>
public sealed record PendingXboxConsume(XboxConsumeStarted Consume, DateTimeOffset Started);
