namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// Other spellings of an issued cursor (55 characters of unpadded base64url, 41 bytes) that a lenient base64 reader
/// decodes to the same bytes: none of them was issued, and each must be refused as a forged cursor is.
/// </summary>
internal static class CursorSpellings
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>
    /// The last character with its unused low bits set (55 characters carry 330 bits, 2 more than 41 bytes), and,
    /// when the cursor has a <c>-</c> or <c>_</c>, the standard alphabet's <c>+</c> and <c>/</c> for them.
    /// </summary>
    public static IReadOnlyList<string> Of(string cursor)
    {
        var last = Alphabet.IndexOf(cursor[^1], StringComparison.Ordinal);
        Assert.True(last % 4 == 0, $"the issued cursor {cursor} ends with unused bits set");
        List<string> spellings = [cursor[..^1] + Alphabet[last + 1], cursor[..^1] + Alphabet[last + 3]];
        if (cursor.AsSpan().IndexOfAny('-', '_') >= 0)
        {
            spellings.Add(cursor.Replace('-', '+').Replace('_', '/'));
        }

        return spellings;
    }

    /// <summary>
    /// The first of <paramref name="cursors"/> that has a <c>-</c> or <c>_</c>, so that every spelling of
    /// <see cref="Of"/> is tried: most of a cursor is the same for one listing, so a few may have neither.
    /// </summary>
    public static string WithUrlSafeCharacters(IEnumerable<string> cursors)
    {
        var all = cursors.ToList();
        return all.FirstOrDefault(cursor => cursor.AsSpan().IndexOfAny('-', '_') >= 0)
            ?? throw new InvalidOperationException($"none of the cursors has a '-' or '_': {string.Join(", ", all)}");
    }
}
