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

    /// <summary>
    /// The most UTF-8 bytes <see cref="PlatformDataJson"/> may have. Events are listed up to 1,000 a page,
    /// which must fit one Orleans message (100 MB by default) and one JSON answer: without a bound, a few
    /// large events made every read of their page fail, for good.
    /// </summary>
    public const int MaxPlatformDataBytes = 64 * 1024;

    /// <summary>Refuse text the ledger cannot store (see <see cref="StoredText"/>) and platform data over <see cref="MaxPlatformDataBytes"/>.</summary>
    public void ThrowIfNotStorable()
    {
        StoredText.ThrowIfNotStorable(PlatformUserId);
        StoredText.ThrowIfNotStorable(Sku);
        StoredText.ThrowIfNotStorable(PlatformTransactionId);
        StoredText.ThrowIfNotStorable(PlatformDataJson);
        if (PlatformDataJson is not null && System.Text.Encoding.UTF8.GetByteCount(PlatformDataJson) > MaxPlatformDataBytes)
        {
            throw new ArgumentException($"The platform data is over {MaxPlatformDataBytes} bytes of JSON.", nameof(PlatformDataJson));
        }
    }
}
