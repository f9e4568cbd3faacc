using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>The revocation's source: the store event that asked for it, in RallyHere's spelling.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.RevocationMeta")]
public sealed record RevocationMeta
{
    [Id(0), JsonPropertyName("event_id")] public required string EventId { get; init; }
    [Id(1), JsonPropertyName("action_type")] public required string ActionType { get; init; }
    [Id(2), JsonPropertyName("platform")] public required string Platform { get; init; }
    [Id(3), JsonPropertyName("platform_transaction_id")] public required string PlatformTransactionId { get; init; }
    [Id(4), JsonPropertyName("platform_user_id")] public required string PlatformUserId { get; init; }
    [Id(5), JsonPropertyName("sku")] public required string Sku { get; init; }

    /// <summary>The event id of the grant that was revoked.</summary>
    [Id(6), JsonPropertyName("order_id")] public string? OrderId { get; init; }

    /// <summary>The player's ledger version the revocation was written at.</summary>
    [Id(7), JsonPropertyName("version")] public required long Version { get; init; }
}
