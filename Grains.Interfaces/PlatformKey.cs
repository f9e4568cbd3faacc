using Entitlements.Contracts;

namespace Entitlements;

/// <summary>The string key of a grain that belongs to one platform: <c>{Platform}/{id}</c> (the id may hold any character).</summary>
public static class PlatformKey
{
    public static string Format(Platform platform, string id) => $"{platform}/{id}";

    public static (Platform Platform, string Id) Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !Enum.TryParse<Platform>(key[..slash], out var platform))
        {
            throw new FormatException($"'{key}' is not a platform key.");
        }

        return (platform, key[(slash + 1)..]);
    }

    /// <summary>
    /// <see cref="Parse"/> for a grain whose id the ledger stores: an id the ledger cannot store is refused (see
    /// <see cref="StoredText"/>), <paramref name="idName"/> saying which id it is.
    /// </summary>
    public static (Platform Platform, string Id) ParseStored(string key, string idName)
    {
        var (platform, id) = Parse(key);
        StoredText.ThrowIfNotStorable(id, idName);
        return (platform, id);
    }
}
