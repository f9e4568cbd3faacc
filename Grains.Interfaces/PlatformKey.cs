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

    /// <summary>
    /// <see cref="ParseStored"/> for a grain about to write under its key, which must be the one <see cref="Format"/>
    /// writes: a defined platform by its name (a platform's number, <c>11/x</c>, would be a second grain of
    /// Steam's <c>x</c>, whose cache would never hear of this one's writes), and an id of 1 to
    /// <paramref name="maxIdLength"/> characters (<see cref="StoredText.Length"/>), as the routes require.
    /// Each refusal is an <see cref="ArgumentException"/>.
    /// </summary>
    public static (Platform Platform, string Id) ParseWritable(string key, string idName, int maxIdLength)
    {
        var (platform, id) = ParseStored(key, idName);
        if (!Enum.IsDefined(platform) || Format(platform, id) != key)
        {
            throw new ArgumentException(
                $"The grain key '{key}' does not start with the name of a {nameof(Platform)} and a slash, as {nameof(PlatformKey)}.{nameof(Format)} writes it.", nameof(key));
        }

        var length = StoredText.Length(id);
        if (length < 1 || length > maxIdLength)
        {
            throw new ArgumentException($"{idName} must have from 1 to {maxIdLength} characters; it has {length}.", idName);
        }

        return (platform, id);
    }
}
