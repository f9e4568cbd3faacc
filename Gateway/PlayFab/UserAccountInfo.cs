namespace Entitlements.Gateway.PlayFab;

/// <summary>PlayFab's <c>UserAccountInfo</c>: what this system knows of the player; the other platforms' links are left out.</summary>
public sealed record UserAccountInfo
{
    public required string PlayFabId { get; init; }

    /// <summary>When the player was created.</summary>
    public required string Created { get; init; }

    public required UserTitleInfo TitleInfo { get; init; }

    public required UserXboxInfo XboxInfo { get; init; }
}
