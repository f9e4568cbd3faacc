using System.Globalization;
using System.Text.RegularExpressions;

namespace Entitlements.Tests.Infrastructure;

/// <summary>The two date-time spellings on the wire: RallyHere's (microseconds, <c>+00:00</c>) and AccelByte's (milliseconds, <c>Z</c>).</summary>
internal static partial class WireTime
{
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")]
    public static partial Regex RallyHere();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")]
    public static partial Regex AccelByte();

    /// <summary>The AccelByte spelling of the instant a RallyHere time names.</summary>
    public static string ToAccelByte(string rallyHere)
    {
        Assert.Matches(RallyHere(), rallyHere);
        var instant = DateTimeOffset.Parse(rallyHere, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();
        return instant.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
