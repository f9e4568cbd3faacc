namespace Entitlements.Contracts;

/// <summary>Which events to list: one player's (by UUID, else by the deprecated integer id) or everybody's.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.EntitlementEventQuery")]
public sealed record EntitlementEventQuery
{
    [Id(0)] public Guid? PlayerUuid { get; init; }
    [Id(1)] public long? PlayerId { get; init; }
    [Id(2)] public string? Cursor { get; init; }
    [Id(3)] public int Limit { get; init; } = DefaultLimit;

    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
}
