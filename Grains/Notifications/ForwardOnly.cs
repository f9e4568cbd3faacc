namespace Entitlements.Notifications;

/// <summary>A position or sequence shared between threads that only ever moves forward.</summary>
public static class ForwardOnly
{
    /// <summary>Sets <paramref name="field"/> to <paramref name="value"/> if that is above it, atomically; a lower value changes nothing.</summary>
    public static void Raise(ref long field, long value)
    {
        var current = Volatile.Read(ref field);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref field, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
