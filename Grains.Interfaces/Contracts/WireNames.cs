using System.Collections.Frozen;

namespace Entitlements.Contracts;

/// <summary>
/// The spelling of every enum value on the wire, as the peers spell them: RallyHere's lower snake case
/// (<c>chargeback_reversal</c>, <c>durable_single_use</c>), AccelByte's upper case (<c>ENTITLEMENT</c>,
/// <c>ACTIVE</c>) and platform names as they are (<c>XboxLive</c>, <c>PSN</c>).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "One lookup table per enum type is the point.")]
public static class WireNames<T> where T : struct, Enum
{
    private static readonly FrozenDictionary<T, string> Names = Enum.GetValues<T>().ToFrozenDictionary(v => v, Spell);
    private static readonly FrozenDictionary<string, T> Values = Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Every wire spelling, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<T>().Select(v => Names[v])];

    public static string Of(T value) => Names[value];

    public static bool TryParse(string? text, out T value) => Values.TryGetValue(text ?? string.Empty, out value);

    private static string Spell(T value)
    {
        var name = value.ToString();
        if (typeof(T) == typeof(Platform))
        {
            return name;
        }

        var snake = string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString()));
        return typeof(T) == typeof(EntitlementClazz) || typeof(T) == typeof(EntitlementStatus)
            ? snake.ToUpperInvariant()
            : snake.ToLowerInvariant();
    }
}
