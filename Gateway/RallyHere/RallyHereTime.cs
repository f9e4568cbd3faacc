using System.Globalization;

namespace Entitlements.Gateway.RallyHere;

/// <summary>RallyHere's date-times: microseconds and an explicit offset, e.g. <c>2023-01-23T21:07:02.000000+00:00</c>.</summary>
public static class RallyHereTime
{
    private const int Length = 32;

    /// <summary>
    /// The value in UTC as <c>yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'</c>, without reading a pattern on every call:
    /// the round-trip format (<c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>, which is written directly) with its last
    /// fraction digit and the <c>Z</c> overwritten by the offset, which truncates like <c>ffffff</c>.
    /// </summary>
    public static string Format(DateTimeOffset value) => string.Create(Length, value.UtcDateTime, static (chars, utc) =>
    {
        if (!utc.TryFormat(chars, out var written, "O", CultureInfo.InvariantCulture) || written != Length - 4)
        {
            throw new FormatException($"Unexpected round-trip format of {utc.Ticks} ticks.");
        }

        "+00:00".CopyTo(chars[(Length - 6)..]);
    });
}
