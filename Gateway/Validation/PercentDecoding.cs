using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Entitlements.Gateway.Validation;

/// <summary>
/// Percent-decoding as the peers' Python servers do it (<c>urllib.parse.unquote</c> with its default
/// <c>errors="replace"</c>): the escapes become bytes, and bytes that are not UTF-8 become U+FFFD. .NET's own
/// decoding leaves an escape that is not UTF-8 as its three characters, so <c>%FF</c> would arrive as the same
/// text as <c>%25FF</c>: two different requests naming one SKU, one platform user.
/// </summary>
public static class PercentDecoding
{
    /// <summary>A path segment or a query name or value; <paramref name="plusIsSpace"/> for the query's form encoding.</summary>
    public static string Decode(ReadOnlySpan<char> text, bool plusIsSpace)
    {
        if (text.IndexOfAny('%', '+') < 0)
        {
            return text.ToString();
        }

        var bytes = new List<byte>(text.Length);
        Span<byte> encoded = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                bytes.Add((byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                bytes.Add((byte)' ');
            }
            else
            {
                var length = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                var written = Encoding.UTF8.GetBytes(text.Slice(i, length), encoded);
                for (var b = 0; b < written; b++)
                {
                    bytes.Add(encoded[b]);
                }

                i += length - 1;
            }
        }

        // The default UTF-8 decoder puts one U+FFFD for each maximal invalid subsequence, as Python does.
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>
    /// The query read again, as Starlette reads it, when its raw text holds an escape: names and values split on
    /// <c>&amp;</c> and the first <c>=</c>, <c>+</c> a space, each decoded as <see cref="Decode"/> does. Names stay
    /// case-insensitive and empty pieces are skipped, as ASP.NET Core's own reading has them.
    /// </summary>
    public static void DecodeQuery(HttpContext context)
    {
        var raw = context.Request.QueryString.Value;
        if (string.IsNullOrEmpty(raw) || !raw.Contains('%', StringComparison.Ordinal))
        {
            return;
        }

        var values = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        foreach (var range in raw.AsSpan(1).Split('&'))
        {
            var piece = raw.AsSpan(1)[range];
            if (piece.IsEmpty)
            {
                continue;
            }

            var equals = piece.IndexOf('=');
            var name = Decode(equals < 0 ? piece : piece[..equals], plusIsSpace: true);
            var value = equals < 0 ? string.Empty : Decode(piece[(equals + 1)..], plusIsSpace: true);
            values[name] = values.TryGetValue(name, out var earlier) ? StringValues.Concat(earlier, value) : new StringValues(value);
        }

        context.Features.Set<IQueryFeature>(new QueryFeature(new QueryCollection(values)));
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
