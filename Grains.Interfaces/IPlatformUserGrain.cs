using Entitlements.Contracts;
using Orleans.Concurrency;

namespace Entitlements;

/// <summary>A platform user's link to a player, keyed by <see cref="Key(Platform, string)"/>.</summary>
[Alias("Entitlements.IPlatformUserGrain")]
public interface IPlatformUserGrain : IGrainWithStringKey
{
    /// <remarks>Read-only: gets interleave with each other (every grant of a SKU reads its entry), never with a write.</remarks>
    [Alias("Get"), ReadOnly]
    Task<PlatformUserLink?> GetAsync();

    /// <summary>
    /// Link this platform user to <paramref name="playerUuid"/>, or to a new player when it is null.
    /// The player is created (with the next sequential player id) if it does not exist yet.
    /// An existing link is kept when <paramref name="playerUuid"/> is null or equal to it.
    /// What the platform-user route refuses is an <see cref="ArgumentException"/>, and links nobody: a key
    /// not made by <see cref="Key"/> for a defined platform, a platform user id that is empty or longer than
    /// <see cref="Contracts.PlatformUserLink.MaxPlatformUserIdLength"/> characters, a display name longer than
    /// <see cref="Contracts.PlatformUserLink.MaxDisplayNameLength"/>, or text the ledger cannot store.
    /// </summary>
    [Alias("Link")]
    Task<LinkPlatformUserResult> LinkAsync(string? displayName, Guid? playerUuid);

    static string Key(Platform platform, string platformUserId) => PlatformKey.Format(platform, platformUserId);
}
