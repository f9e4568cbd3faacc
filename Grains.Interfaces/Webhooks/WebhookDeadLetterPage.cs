namespace Entitlements.Webhooks;

/// <summary>Dead letters in id order (newest last); <see cref="More"/> when another page follows the last one.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Webhooks.WebhookDeadLetterPage")]
public sealed record WebhookDeadLetterPage(
    [property: Id(0)] IReadOnlyList<WebhookDeadLetter> DeadLetters,
    [property: Id(1)] bool More)
{
    /// <summary>The most dead letters one page holds.</summary>
    public const int MaxLimit = 1000;
}
