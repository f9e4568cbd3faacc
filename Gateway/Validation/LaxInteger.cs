using System.Globalization;

namespace Entitlements.Gateway.Validation;

/// <summary>
/// A string read as an integer the way pydantic reads one in its default (lax) mode: an integer as JSON
/// writes it, or one that cleaning turns into that: surrounding whitespace, one leading <c>+</c>, leading
/// zeros, a fraction of zeros only (<c>"2.0"</c>, not <c>"2."</c>) and single underscores between digits
/// (<c>"1_000"</c>) are dropped. Anything else (<c>"2.5"</c>, <c>"1e2"</c>, <c>""</c>, <c>"abc"</c>) is not an integer.
/// </summary>
public static class LaxInteger
{
    /// <summary>Parsed into <paramref name="value"/>; or an integer beyond 64 bits (its sign); or not an integer.</summary>
    public static LaxIntegerResult Parse(string text, out long value)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = 0;
        var integer = IsJsonInteger(text) ? text : Clean(text);
        if (integer is null || !IsJsonInteger(integer))
        {
            return LaxIntegerResult.Invalid;
        }

        // A JSON integer of more than 19 digits is beyond 64 bits whatever they are; no big-number parse.
        var negative = integer.StartsWith('-');
        if (integer.Length - (negative ? 1 : 0) > 19 || !long.TryParse(integer, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return negative ? LaxIntegerResult.BelowInt64 : LaxIntegerResult.AboveInt64;
        }

        return LaxIntegerResult.Parsed;
    }

    /// <summary><c>-?(0|[1-9][0-9]*)</c>: an integer as JSON writes it.</summary>
    private static bool IsJsonInteger(ReadOnlySpan<char> text)
    {
        var digits = text.StartsWith('-') ? text[1..] : text;
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9') && (digits.Length == 1 || digits[0] != '0');
    }

    /// <summary>The cleaned text, or null when it cannot be an integer or cleaning changed nothing.</summary>
    private static string? Clean(string original)
    {
        var text = original.AsSpan().Trim();
        if (text.StartsWith('+'))
        {
            if (text[1..].StartsWith('-'))
            {
                return null;
            }

            text = text[1..];
        }

        var negative = false;
        if (text.StartsWith('-'))
        {
            if (text[1..].StartsWith('-') || text[1..].StartsWith('+'))
            {
                return null;
            }

            negative = true;
            text = text[1..];
        }

        if (!StripLeadingZeros(ref text))
        {
            return null;
        }

        var dot = text.IndexOf('.');
        if (dot >= 0 && dot < text.Length - 1 && !text[(dot + 1)..].ContainsAnyExcept('0'))
        {
            text = text[..dot];
        }

        var sign = negative ? "-" : "";
        if (text.Contains('_') && !text.StartsWith('_') && !text.EndsWith('_') && !text.Contains("__", StringComparison.Ordinal))
        {
            return sign + text.ToString().Replace("_", "", StringComparison.Ordinal);
        }

        return text.Length == original.Length ? null : sign + text.ToString();
    }

    /// <summary>
    /// Drops the zeros (and underscores among them) before the first other digit, keeping one zero when nothing
    /// else follows or a <c>.</c> does; false when the text does not start with a digit.
    /// </summary>
    private static bool StripLeadingZeros(ref ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text[0] is not ('0' or (>= '1' and <= '9') or '-'))
        {
            return false;
        }

        if (text[0] != '0')
        {
            return true;
        }

        for (var i = 1; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '0' or '_':
                    continue;
                case (>= '1' and <= '9') or '-':
                    text = text[i..];
                    return true;
                case '.':
                    text = text[(i - 1)..];
                    return true;
                default:
                    return false;
            }
        }

        text = text[^1..];
        return true;
    }
}
