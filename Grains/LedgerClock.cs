namespace Entitlements;

/// <summary>Ledger times are UTC with microsecond precision, exactly what the store keeps.</summary>
public static class LedgerClock
{
    public static DateTimeOffset Now(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }
}
