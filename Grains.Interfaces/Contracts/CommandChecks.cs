using System.Diagnostics.CodeAnalysis;

namespace Entitlements.Contracts;

/// <summary>
/// What the gateway's routes check of a request, checked again of a command, which an in-cluster Orleans
/// client sends with no route in between: each check refuses with an <see cref="ArgumentException"/> naming the
/// member, before the grain reads or writes anything.
/// </summary>
internal static class CommandChecks
{
    /// <summary>
    /// Refuse a value no member of <typeparamref name="T"/> names: a route reads only names, but an Orleans client
    /// can send any number, and one stored would be a value no answer can spell (the listing would fail on it).
    /// </summary>
    public static void ThrowIfUndefined<T>(T value, string name) where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentException($"{name} is {value}, not a member of {typeof(T).Name}.", name);
        }
    }

    /// <summary>
    /// Refuse null or empty text where a route requires at least one character: <c>required</c> binds a C#
    /// caller at compile time only, not an Orleans client's message.
    /// </summary>
    public static void ThrowIfMissing([NotNull] string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"{name} is required.", name);
        }
    }

    /// <summary>Refuse a number below the least the route takes.</summary>
    public static void ThrowIfLessThan(long value, long minimum, string name)
    {
        if (value < minimum)
        {
            throw new ArgumentException($"{name} is {value}, less than {minimum}, the least the gateway takes.", name);
        }
    }

    /// <summary>Refuse a number outside the range the route takes.</summary>
    public static void ThrowIfOutside(long value, long minimum, long maximum, string name)
    {
        if (value < minimum || value > maximum)
        {
            throw new ArgumentException($"{name} is {value}, outside {minimum} to {maximum}, the range the gateway takes.", name);
        }
    }

    /// <summary>Refuse text longer than the route takes, in characters (code points: an emoji is one), as the route counts.</summary>
    public static void ThrowIfLongerThan(string? value, int maxLength, string name)
    {
        // Two UTF-16 code units at most per character: only text longer than the bound in code units is counted.
        if (value is not null && value.Length > maxLength && value.EnumerateRunes().Count() > maxLength)
        {
            throw new ArgumentException($"{name} is longer than {maxLength} characters, the most the gateway takes.", name);
        }
    }
}
