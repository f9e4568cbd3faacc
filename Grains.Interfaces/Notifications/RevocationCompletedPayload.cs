using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>The payload of <c>revocationCompleted</c>, every field of AccelByte's revocation service.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.RevocationCompletedPayload")]
public sealed record RevocationCompletedPayload
{
    /// <summary>The player whose entitlements were revoked (32 hex digits).</summary>
    [Id(0), JsonPropertyName("userId")] public required string UserId { get; init; }

    /// <summary><c>DLC</c>, <c>ORDER</c> or <c>OTHER</c>; a store's refund or chargeback is an <c>ORDER</c>.</summary>
    [Id(1), JsonPropertyName("source")] public required string Source { get; init; }
    [Id(2), JsonPropertyName("meta")] public required RevocationMeta Meta { get; init; }
    [Id(3), JsonPropertyName("creditRevocations")] public IReadOnlyList<CreditRevocation> CreditRevocations { get; init; } = [];
    [Id(4), JsonPropertyName("entitlementRevocations")] public IReadOnlyList<EntitlementRevocation> EntitlementRevocations { get; init; } = [];
    [Id(5), JsonPropertyName("itemRevocations")] public IReadOnlyList<ItemRevocation> ItemRevocations { get; init; } = [];
    [Id(6), JsonPropertyName("revokeEntries")] public IReadOnlyList<RevokeEntry> RevokeEntries { get; init; } = [];
    [Id(7), JsonPropertyName("revocationId")] public required string RevocationId { get; init; }
    [Id(8), JsonPropertyName("namespace")] public required string Namespace { get; init; }

    /// <summary><c>SUCCESS</c> or <c>FAIL</c>.</summary>
    [Id(9), JsonPropertyName("status")] public required string Status { get; init; }
    [Id(10), JsonPropertyName("revocationError")] public IReadOnlyList<RevocationError> RevocationError { get; init; } = [];
    [Id(11), JsonPropertyName("requestId")] public string? RequestId { get; init; }
}
