using System.Globalization;

namespace Entitlements.Gateway.PlayFab;

/// <summary>PlayFab's dates: UTC, a literal <c>Z</c>, milliseconds.</summary>
public static class PlayFabTime
{
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
