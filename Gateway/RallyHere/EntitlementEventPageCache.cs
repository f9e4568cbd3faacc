using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.RallyHere;

/// <summary>
/// The answered bytes of entitlement-event pages that can no longer change, so that reading one again costs
/// a lookup instead of a database read, a mapping and a JSON write.
/// <list type="bullet">
/// <item>Only a page with a next cursor is kept: it is full, and it ends before the newest event of its
/// listing. Ledger rows are never updated, a player's versions and the global sequence become visible in
/// order (see docs/ledger.md, "How a write becomes durable"), and the cursors' signing key does not change, so
/// such a page is the same bytes for as long as the ledger exists. The last page of a listing is never
/// kept: new events join it.</item>
/// <item>Keyed by what selects the page (the player UUID, else the deprecated player id, else everybody; the
/// cursor text; the limit), never by the caller: the route's permission is checked before the cache is
/// asked, and the answer does not depend on who asks.</item>
/// <item>Both forms of the body are kept (<see cref="EntitlementEventPageBody"/>: the JSON, and gzip for the
/// clients that accept it), compressed once when the page is kept.</item>
/// <item>At most <see cref="EntitlementEventPageCacheOptions.PageCacheMegabytes"/> of bodies, the least
/// recently used dropped first; 0 turns the cache off.</item>
/// </list>
/// </summary>
public sealed class EntitlementEventPageCache : IDisposable
{
    private readonly MemoryCache? _pages;

    public EntitlementEventPageCache(IOptions<EntitlementEventPageCacheOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var megabytes = Math.Max(0, options.Value.PageCacheMegabytes);
        if (megabytes > 0)
        {
            _pages = new MemoryCache(new MemoryCacheOptions { SizeLimit = megabytes * 1024L * 1024L, CompactionPercentage = 0.25 });
        }
    }

    /// <summary>False when the cache is off.</summary>
    public bool Enabled => _pages is not null;

    /// <summary>The body of a page answered before, when it is kept.</summary>
    public EntitlementEventPageBody? Find(in EntitlementEventPageKey key) =>
        _pages is not null && _pages.TryGetValue(key, out var body) ? (EntitlementEventPageBody?)body : null;

    /// <summary>Keep the body of a page that can no longer change (one with a next cursor).</summary>
    public void Add(in EntitlementEventPageKey key, EntitlementEventPageBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        _pages?.Set(key, body, new MemoryCacheEntryOptions { Size = body.Size });
    }

    public void Dispose() => _pages?.Dispose();
}
