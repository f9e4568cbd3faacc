using System.Collections.Concurrent;

namespace Entitlements.Gateway.PlayFab;

/// <summary>
/// One token bucket per key: <c>burst</c> calls at once, then <c>perSecond</c>, refilled continuously from
/// the time that passed (never past <c>burst</c>, however long a key was quiet). A bucket that has been
/// left alone long enough to be full again is dropped by a sweep every <see cref="SweepInterval"/>, so the
/// memory held is that of the keys seen within the last refill time and sweep.
/// </summary>
/// <remarks>
/// Written here rather than taken from System.Threading.RateLimiting: its partitioned token bucket does
/// not move a full bucket's refill time on, so a key quiet for a few seconds got up to twice its burst at
/// once, its <c>Retry-After</c> is a whole refill period whatever the rate, and a bucket it drops while a
/// call takes from it throws <see cref="ObjectDisposedException"/> into that call.
/// </remarks>
public sealed class TokenBuckets<TKey>
    where TKey : notnull
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait <see cref="TryTake"/> answers, however small the rate (a year).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromDays(365);

    private readonly ConcurrentDictionary<TKey, Bucket> _buckets = new();
    private readonly double _perSecond;
    private readonly int _burst;
    private readonly TimeProvider _time;
    private readonly long _fullAfter;
    private readonly long _sweepEvery;
    private long _nextSweep;

    public TokenBuckets(double perSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentNullException.ThrowIfNull(time);
        _perSecond = perSecond;
        _burst = burst;
        _time = time;
        // A rate so small that a refill outlasts the clock's range never counts as full (such buckets stay).
        var fullAfter = Math.Ceiling(burst / perSecond * time.TimestampFrequency);
        _fullAfter = fullAfter < long.MaxValue ? (long)fullAfter : long.MaxValue;
        _sweepEvery = (long)(SweepInterval.TotalSeconds * time.TimestampFrequency);
        _nextSweep = time.GetTimestamp() + _sweepEvery;
    }

    /// <summary>The keys whose buckets are held.</summary>
    public int Count => _buckets.Count;

    /// <summary>Take a token from <paramref name="key"/>'s bucket: null when taken, else how long until one is there.</summary>
    public TimeSpan? TryTake(TKey key)
    {
        var now = _time.GetTimestamp();
        SweepIfDue(now);
        while (true)
        {
            var bucket = _buckets.GetOrAdd(key, static (_, state) => new Bucket(state.Burst, state.Now), (Burst: _burst, Now: now));
            lock (bucket)
            {
                if (bucket.Dropped)
                {
                    // Swept since it was looked up: it was full, as the fresh one the next look-up makes.
                    continue;
                }

                if (now > bucket.Updated)
                {
                    bucket.Tokens = Math.Min(_burst, bucket.Tokens + ((now - bucket.Updated) * _perSecond / _time.TimestampFrequency));
                    bucket.Updated = now;
                }

                if (bucket.Tokens >= 1)
                {
                    bucket.Tokens -= 1;
                    return null;
                }

                return TimeSpan.FromSeconds(Math.Min((1 - bucket.Tokens) / _perSecond, MaxWait.TotalSeconds));
            }
        }
    }

    private void SweepIfDue(long now)
    {
        var due = Volatile.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + _sweepEvery, due) != due)
        {
            return;
        }

        foreach (var (key, bucket) in _buckets)
        {
            lock (bucket)
            {
                if (now - bucket.Updated >= _fullAfter)
                {
                    bucket.Dropped = true;
                    _buckets.TryRemove(new KeyValuePair<TKey, Bucket>(key, bucket));
                }
            }
        }
    }

    private sealed class Bucket(double tokens, long updated)
    {
        public double Tokens = tokens;
        public long Updated = updated;
        public bool Dropped;
    }
}
