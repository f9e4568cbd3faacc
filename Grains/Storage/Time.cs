namespace Entitlements.Storage;

/// <summary>Times are stored as UTC microseconds since the Unix epoch: exact, sortable, engine-neutral.</summary>
internal static class Time
{
    public static long ToMicros(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);
}
