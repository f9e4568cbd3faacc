using System.Text.Json.Serialization;
using Entitlements.Notifications;
using Entitlements.Webhooks;

namespace Entitlements.Gateway.Ops;

/// <summary>A dead letter: which notification, how many attempts, the last error, when it failed and when a replay delivered it.</summary>
public sealed record DeadLetterDocument
{
    [JsonPropertyName("id")] public required long Id { get; init; }
    [JsonPropertyName("webhook")] public required string Webhook { get; init; }
    [JsonPropertyName("position")] public required long Position { get; init; }
    [JsonPropertyName("event_id")] public required string EventId { get; init; }
    [JsonPropertyName("player_uuid")] public required Guid PlayerUuid { get; init; }
    [JsonPropertyName("notification")] public required string Notification { get; init; }
    [JsonPropertyName("attempts")] public required int Attempts { get; init; }
    [JsonPropertyName("last_error")] public string? LastError { get; init; }
    [JsonPropertyName("failed_at")] public required DateTimeOffset FailedAt { get; init; }
    [JsonPropertyName("replayed_at")] public DateTimeOffset? ReplayedAt { get; init; }

    public static DeadLetterDocument From(WebhookDeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        return new DeadLetterDocument
        {
            Id = letter.Id,
            Webhook = letter.Webhook,
            Position = letter.Position,
            EventId = letter.EventId,
            PlayerUuid = letter.PlayerUuid,
            Notification = WebhookHeaders.NotificationName(letter.Kind),
            Attempts = letter.Attempts,
            LastError = letter.LastError,
            FailedAt = letter.Failed,
            ReplayedAt = letter.Replayed,
        };
    }
}
