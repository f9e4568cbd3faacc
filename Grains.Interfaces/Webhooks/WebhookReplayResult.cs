namespace Entitlements.Webhooks;

/// <summary>What one replay of a dead letter got: the outcome, the endpoint's status code if it answered, the error otherwise.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Webhooks.WebhookReplayResult")]
public sealed record WebhookReplayResult
{
    [Id(0)] public required WebhookReplayOutcome Outcome { get; init; }
    [Id(1)] public int? StatusCode { get; init; }
    [Id(2)] public string? Error { get; init; }

    /// <summary>The dead letter as it is after the replay; null when not found.</summary>
    [Id(3)] public WebhookDeadLetter? DeadLetter { get; init; }
}
