using System.Text.Json.Serialization;
using Entitlements.Webhooks;

namespace Entitlements.Gateway.Ops;

/// <summary>A configured webhook as the operator API shows it: no secret, no query string.</summary>
public sealed record WebhookDocument
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("endpoint")] public required string Endpoint { get; init; }
    [JsonPropertyName("position")] public required long Position { get; init; }
    [JsonPropertyName("dead_letters")] public required long DeadLetters { get; init; }
    [JsonPropertyName("pending_dead_letters")] public required long PendingDeadLetters { get; init; }
    [JsonPropertyName("delivered_position")] public required long DeliveredPosition { get; init; }

    public static WebhookDocument From(WebhookStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new WebhookDocument
        {
            Name = status.Name,
            Endpoint = status.Endpoint,
            Position = status.Position,
            DeadLetters = status.DeadLetters,
            PendingDeadLetters = status.PendingDeadLetters,
            DeliveredPosition = status.DeliveredPosition,
        };
    }
}
