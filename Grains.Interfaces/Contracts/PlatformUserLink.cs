namespace Entitlements.Contracts;

/// <summary>A platform user and the player it belongs to.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.PlatformUserLink")]
public sealed record PlatformUserLink
{
    [Id(0)] public required Platform Platform { get; init; }
    [Id(1)] public required string PlatformUserId { get; init; }
    [Id(2)] public string? DisplayName { get; init; }
    [Id(3)] public required Guid PlayerUuid { get; init; }
    [Id(4)] public required long PlayerId { get; init; }
    [Id(5)] public required DateTimeOffset Created { get; init; }
}
