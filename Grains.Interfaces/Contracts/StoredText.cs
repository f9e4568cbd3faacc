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
        if (value is null)
        {
            return;
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{name} holds a NUL character (U+0000), which the ledger does not store.", name);
        }

        if (LoneSurrogate(value) is { } index)
        {
            throw new ArgumentException($"{name} holds a lone surrogate (U+{(int)value[index]:X4} at index {index}), which is not valid UTF-16 and the ledger does not store.", name);
        }
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
