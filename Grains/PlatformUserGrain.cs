using Entitlements.Contracts;
using Entitlements.Storage;

namespace Entitlements;

/// <summary>A platform user's link to a player, cached in memory; the database is its source of truth.</summary>
public sealed class PlatformUserGrain(ILedgerStore store, TimeProvider time) : Grain, IPlatformUserGrain
{
    private PlatformUserLink? _link;

    public async Task<PlatformUserLink?> GetAsync()
    {
        if (_link is null)
        {
            var (platform, user) = Key();
            _link = await store.ReadPlatformUserAsync(platform, user);
        }

        return _link;
    }

    public async Task<LinkPlatformUserResult> LinkAsync(string? displayName, Guid? playerUuid)
    {
        // What the platform-user route refuses, refused here too: an Orleans client could link it otherwise.
        var (platform, user) = PlatformKey.ParseWritable(this.GetPrimaryKeyString(), "The platform user id", PlatformUserLink.MaxPlatformUserIdLength);
        StoredText.ThrowIfNotStorable(displayName, "The display name");
        if (displayName is not null && StoredText.Length(displayName) is var length and > PlatformUserLink.MaxDisplayNameLength)
        {
            throw new ArgumentException($"The display name must have at most {PlatformUserLink.MaxDisplayNameLength} characters; it has {length}.", nameof(displayName));
        }

        PlayerUuids.ThrowIfNil(playerUuid, nameof(playerUuid));

        // A write whose outcome is unknown (its acknowledgement lost) may have moved the link: forget the cached
        // one first, so that the next read asks the database instead of answering the player it had before.
        _link = null;
        var result = await store.LinkPlatformUserAsync(platform, user, displayName, playerUuid, LedgerClock.Now(time));
        _link = result.Link;
        return result;
    }

    private (Platform Platform, string User) Key() => PlatformKey.ParseStored(this.GetPrimaryKeyString(), "The platform user id");
}
