using Entitlements.Gateway.PlayFab;
using Microsoft.Extensions.Time.Testing;

namespace Entitlements.Tests.PlayFab;

/// <summary>The rate limits' buckets on a clock the tests move: burst, continuous refill, waits, and the sweep.</summary>
public sealed class TokenBucketsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void TryTake_BurstSpent_RefusesWithTheWaitForTheNextToken()
    {
        var buckets = new TokenBuckets<string>(perSecond: 4, burst: 3, _time);

        Assert.Equal([null, null, null], [buckets.TryTake("a"), buckets.TryTake("a"), buckets.TryTake("a")]);
        AssertWait(250, buckets.TryTake("a"));
        _time.Advance(TimeSpan.FromMilliseconds(100));
        AssertWait(150, buckets.TryTake("a"));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Null(buckets.TryTake("a"));
        AssertWait(200, buckets.TryTake("a"));
    }

    [Fact]
    public void TryTake_OneKeySpent_OtherKeysKeepTheirBurst()
    {
        var buckets = new TokenBuckets<string>(perSecond: 1, burst: 1, _time);

        Assert.Null(buckets.TryTake("a"));
        Assert.NotNull(buckets.TryTake("a"));
        Assert.Null(buckets.TryTake("b"));
    }

    [Fact]
    public void TryTake_AfterAQuietSpell_NeverMoreThanTheBurstAtOnce()
    {
        var buckets = new TokenBuckets<string>(perSecond: 20, burst: 200, _time);
        Assert.Null(buckets.TryTake("a"));

        // Quiet for longer than the refill (10 s), but not for a sweep: the bucket is full, not fuller.
        _time.Advance(TimeSpan.FromSeconds(9.9));
        var first = Enumerable.Range(0, 250).Count(_ => buckets.TryTake("a") is null);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var second = Enumerable.Range(0, 250).Count(_ => buckets.TryTake("a") is null);

        Assert.Equal(200, first);
        Assert.Equal(2, second);
    }

    [Fact]
    public void TryTake_FractionalRate_RefillsOneTokenInSeveralSeconds()
    {
        var buckets = new TokenBuckets<string>(perSecond: 0.5, burst: 1, _time);

        Assert.Null(buckets.TryTake("a"));
        AssertWait(2000, buckets.TryTake("a"));
        _time.Advance(TimeSpan.FromSeconds(1.5));
        AssertWait(500, buckets.TryTake("a"));
        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Null(buckets.TryTake("a"));
    }

    [Fact]
    public void TryTake_RateTooSmallForTheClock_WaitsAtMostAYearAndKeepsItsBuckets()
    {
        var buckets = new TokenBuckets<string>(perSecond: 1e-15, burst: int.MaxValue, _time);
        var spent = new TokenBuckets<string>(perSecond: 1e-15, burst: 1, _time);

        Assert.Null(buckets.TryTake("a"));
        Assert.Null(spent.TryTake("a"));
        Assert.Equal(TokenBuckets<string>.MaxWait, spent.TryTake("a"));
        _time.Advance(TimeSpan.FromDays(30));
        Assert.Null(buckets.TryTake("b"));
        Assert.Equal(2, buckets.Count);
    }

    [Fact]
    public void Sweep_DropsOnlyBucketsThatAreFullAgain()
    {
        var buckets = new TokenBuckets<string>(perSecond: 1, burst: 15, _time);
        Assert.Null(buckets.TryTake("quiet"));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(buckets.TryTake("recent"));

        // The first sweep is due 10 s after the buckets were made: "quiet" has been refilling for 10 s of
        // its 15, "recent" for 5; neither is full, so both stay.
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(buckets.TryTake("trigger"));
        Assert.Equal(3, buckets.Count);

        // 10 s later: "quiet" has had 20 s and is full, "trigger" 10 s, "recent" 15 s (full).
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(buckets.TryTake("trigger"));
        Assert.Equal(1, buckets.Count);

        // A dropped key starts again from a full bucket, as it would have had.
        Assert.Equal(15, Enumerable.Range(0, 20).Count(_ => buckets.TryTake("quiet") is null));
    }

    [Fact]
    public async Task TryTake_ManyCallersAtOnce_TakeExactlyTheBurst()
    {
        var buckets = new TokenBuckets<int>(perSecond: 1, burst: 1000, _time);

        var taken = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Enumerable.Range(0, 500).Count(_ => buckets.TryTake(7) is null))));

        Assert.Equal(1000, taken.Sum());
    }

    /// <summary>A refusal whose wait is <paramref name="milliseconds"/>, to within a microsecond (the refill is floating point).</summary>
    private static void AssertWait(double milliseconds, TimeSpan? wait)
    {
        Assert.NotNull(wait);
        Assert.Equal(milliseconds, wait.Value.TotalMilliseconds, 0.001);
    }
}
