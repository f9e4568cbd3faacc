namespace Entitlements.Webhooks;

[GenerateSerializer, Alias("Entitlements.Webhooks.WebhookReplayOutcome")]
public enum WebhookReplayOutcome
{
    /// <summary>The endpoint answered 2xx; the dead letter is marked replayed.</summary>
    Delivered = 0,

    /// <summary>The endpoint still failed; nothing changed.</summary>
    Failed = 1,

    /// <summary>No such webhook, or no such dead letter of it.</summary>
    NotFound = 2,
}
