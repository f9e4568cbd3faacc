using System.Runtime.CompilerServices;

namespace Entitlements.Contracts;

/// <summary>
/// Text the ledger stores may hold any character but NUL (U+0000), which PostgreSQL's text type cannot
/// hold, and must be valid UTF-16: a lone surrogate has no UTF-8 form, so Microsoft.Data.Sqlite would
/// store it as U+FFFD (two different transaction ids becoming one) and Npgsql would refuse to send it.
/// The gateway answers either with its surface's validation error before any grain call; a grain refuses
/// one from an Orleans client with an <see cref="ArgumentException"/>, on either engine, before it reads
/// or writes anything.
/// </summary>
public static class StoredText
{
    public static void ThrowIfNotStorable(string? value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (Problem(value) is { } problem)
        {
            throw new ArgumentException($"{name} {problem}", name);
        }
    }

    /// <summary>
    /// What keeps the ledger from storing <paramref name="value"/>, to follow the text's name ("holds a NUL
    /// character ..."), or null when it can be stored (null included).
    /// </summary>
    public static string? Problem(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            return "holds a NUL character (U+0000), which the ledger does not store.";
        }

        return LoneSurrogate(value) is { } index
            ? $"holds a lone surrogate (U+{(int)value[index]:X4} at index {index}), which is not valid UTF-16 and the ledger does not store."
            : null;
    }

    /// <summary>
    /// The length of <paramref name="value"/> in characters as Unicode counts them (code points, as pydantic and
    /// JSON Schema do): a surrogate pair (an emoji, say) is one. Every length limit on text is counted so.
    /// </summary>
    public static int Length(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var span = value.AsSpan();
        if (span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return span.Length;
        }

        var count = 0;
        foreach (var _ in span.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Whether the ledger can store <paramref name="value"/>: the test of <see cref="ThrowIfNotStorable"/>, for
    /// text that comes from outside (an Xbox answer) and is to be passed over, not refused with an exception.
    /// </summary>
    public static bool IsStorable(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return !value.Contains('\0', StringComparison.Ordinal) && LoneSurrogate(value) is null;
    }

    /// <summary>The index of the first surrogate that is not half of a pair, or null when the text is valid UTF-16.</summary>
    private static int? LoneSurrogate(string value)
    {
        for (var i = value.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF'); i >= 0 && i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return i;
            }
        }

        return null;
    }
}
