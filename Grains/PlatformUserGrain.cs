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
            var (platform, user) = ParseKey(this.GetPrimaryKeyString());
            _link = await store.ReadPlatformUserAsync(platform, user);
        }

        return _link;
    }

    public async Task<LinkPlatformUserResult> LinkAsync(string? displayName, Guid? playerUuid)
    {
        var (platform, user) = ParseKey(this.GetPrimaryKeyString());
        var result = await store.LinkPlatformUserAsync(platform, user, displayName, playerUuid, LedgerClock.Now(time));
        _link = result.Link;
        return result;
    }

    private static (Platform Platform, string PlatformUserId) ParseKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (Enum.Parse<Platform>(key[..slash]), key[(slash + 1)..]);
    }
}
