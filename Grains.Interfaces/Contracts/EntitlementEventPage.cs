namespace Entitlements.Contracts;

/// <summary>One page of entitlement events, oldest first. <see cref="Cursor"/> is null on the last page.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.EntitlementEventPage")]
public sealed record EntitlementEventPage(
    [property: Id(0)] IReadOnlyList<EntitlementEventRecord> Events,
    [property: Id(1)] string? Cursor,
    [property: Id(2)] bool InvalidCursor = false);
