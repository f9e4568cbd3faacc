using Entitlements.Notifications;

namespace Entitlements.Webhooks;

/// <summary>
/// A notification a webhook gave up on: which one (its feed position, event, player and kind), how
/// many attempts it took and the last error. The message itself stays in the ledger.
/// </summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Webhooks.WebhookDeadLetter")]
public sealed record WebhookDeadLetter
{
    [Id(0)] public required long Id { get; init; }
    [Id(1)] public required string Webhook { get; init; }
    [Id(2)] public required long Position { get; init; }
    [Id(3)] public required string EventId { get; init; }
    [Id(4)] public required Guid PlayerUuid { get; init; }
    [Id(5)] public required NotificationKind Kind { get; init; }
    [Id(6)] public required int Attempts { get; init; }

    /// <summary>What the last attempt got: a status code or an error kind, never a body or a secret.</summary>
    [Id(7)] public string? LastError { get; init; }
    [Id(8)] public required DateTimeOffset Failed { get; init; }

    /// <summary>When an operator's replay was delivered; null until then.</summary>
    [Id(9)] public DateTimeOffset? Replayed { get; init; }
}
