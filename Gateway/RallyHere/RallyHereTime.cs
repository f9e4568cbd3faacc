using System.Globalization;

namespace Entitlements.Gateway.RallyHere;

/// <summary>RallyHere's date-times: microseconds and an explicit offset, e.g. <c>2023-01-23T21:07:02.000000+00:00</c>.</summary>
public static class RallyHereTime
{
    public static string Format(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);
}
