namespace Entitlements.Gateway.PlayFab;

/// <summary>
/// PlayFab's <c>UserTitleInfo</c>. One title: the player's creation is its association with the title.
/// Logins are not recorded, so <c>FirstLogin</c> and <c>LastLogin</c> are left out, as are the display
/// name, avatar, origination and ban flag, which this system does not keep.
/// </summary>
public sealed record UserTitleInfo
{
    public required string Created { get; init; }

    public required EntityKey TitlePlayerAccount { get; init; }
}
