namespace Entitlements.Contracts;

/// <summary>A store integration's entitlement event, as RallyHere's <c>EntitlementEventRequest</c> carries it.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.SubmitEntitlementEvent")]
public sealed record SubmitEntitlementEvent
{
    [Id(0)] public required EntitlementActionType ActionType { get; init; }

    /// <summary>A status the caller supplies. Anything other than success is recorded without being applied.</summary>
    [Id(1)] public EntitlementEventStatus? Status { get; init; }

    /// <summary>Overrides the active player of the platform user.</summary>
    [Id(2)] public Guid? PlayerUuid { get; init; }
    [Id(3)] public required Platform Platform { get; init; }
    [Id(4)] public required string PlatformUserId { get; init; }
    [Id(5)] public required string Sku { get; init; }
    [Id(6)] public long Quantity { get; init; } = 1;
    [Id(7)] public required string PlatformTransactionId { get; init; }

    /// <summary>The platform data as canonical JSON (object keys sorted), or null.</summary>
    [Id(8)] public string? PlatformDataJson { get; init; }

    /// <summary>Refuse text the ledger cannot store (see <see cref="StoredText"/>).</summary>
    public void ThrowIfNotStorable()
    {
        StoredText.ThrowIfNul(PlatformUserId);
        StoredText.ThrowIfNul(Sku);
        StoredText.ThrowIfNul(PlatformTransactionId);
        StoredText.ThrowIfNul(PlatformDataJson);
    }
}
