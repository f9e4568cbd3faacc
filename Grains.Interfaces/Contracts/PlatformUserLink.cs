namespace Entitlements.Contracts;

/// <summary>A platform user and the player it belongs to.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.PlatformUserLink")]
public sealed record PlatformUserLink
{
    /// <summary>The longest <see cref="PlatformUserId"/>, in characters (<see cref="StoredText.Length"/>); the least is 1.</summary>
    public const int MaxPlatformUserIdLength = 2048;

    /// <summary>The longest <see cref="DisplayName"/>, in characters.</summary>
    public const int MaxDisplayNameLength = 256;

    [Id(0)] public required Platform Platform { get; init; }
    [Id(1)] public required string PlatformUserId { get; init; }
    [Id(2)] public string? DisplayName { get; init; }
    [Id(3)] public required Guid PlayerUuid { get; init; }
    [Id(4)] public required long PlayerId { get; init; }
    [Id(5)] public required DateTimeOffset Created { get; init; }
}
