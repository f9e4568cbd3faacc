using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>
/// AccelByte's <c>revocationCompleted</c> event: the common event envelope around a
/// <see cref="RevocationCompletedPayload"/>. <see cref="Id"/> is the ledger event id of the refund or
/// chargeback, so a consumer that sees the same id twice has seen the same revocation.
/// </summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.RevocationCompleted")]
public sealed record RevocationCompleted
{
    public const string EventName = "revocationCompleted";

    [Id(0), JsonPropertyName("id")] public required string Id { get; init; }
    [Id(1), JsonPropertyName("version")] public int Version { get; init; } = 1;
    [Id(2), JsonPropertyName("name")] public string Name { get; init; } = EventName;
    [Id(3), JsonPropertyName("namespace")] public required string Namespace { get; init; }
    [Id(4), JsonPropertyName("timestamp")] public required string Timestamp { get; init; }
    [Id(5), JsonPropertyName("clientId")] public string? ClientId { get; init; }

    /// <summary>The operator: who asked for the revocation (the store integration); null when unknown.</summary>
    [Id(6), JsonPropertyName("userId")] public string? UserId { get; init; }
    [Id(7), JsonPropertyName("traceId")] public string? TraceId { get; init; }
    [Id(8), JsonPropertyName("sessionId")] public string? SessionId { get; init; }
    [Id(9), JsonPropertyName("payload")] public required RevocationCompletedPayload Payload { get; init; }
}
