using System.Globalization;

namespace Entitlements.Notifications;

/// <summary>AccelByte's date-times: UTC with a literal Z, milliseconds.</summary>
public static class AccelByteTime
{
    public static string Format(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
