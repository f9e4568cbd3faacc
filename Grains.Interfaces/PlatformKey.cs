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
}
