using System.Globalization;
using Entitlements.Gateway.RallyHere;

namespace Entitlements.Tests.RallyHere;

/// <summary>RallyHere's date-times are written exactly as the pattern <c>yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'</c> of the UTC time writes them.</summary>
public sealed class RallyHereTimeTests
{
    private const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'";

    public static TheoryData<DateTimeOffset> Instants => new()
    {
        DateTimeOffset.MinValue,
        DateTimeOffset.MaxValue,
        DateTimeOffset.UnixEpoch,
        new(2023, 1, 23, 21, 7, 2, TimeSpan.Zero),
        new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1),
        new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(9_999_999),
        new DateTimeOffset(2025, 3, 1, 1, 30, 0, TimeSpan.FromHours(5.5)).AddTicks(1_234_567),
        new DateTimeOffset(999, 12, 31, 23, 59, 59, TimeSpan.FromHours(-8)).AddTicks(10),
    };

    [Theory]
    [MemberData(nameof(Instants))]
    public void Format_Instant_WritesThePatternOfItsUtcTime(DateTimeOffset instant) =>
        Assert.Equal(Expected(instant), RallyHereTime.Format(instant));

    [Fact]
    public void Format_RandomInstants_WritesThePatternOfTheirUtcTime()
    {
        var random = new Random(20250301);
        var span = DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.MinValue.UtcTicks;
        for (var i = 0; i < 10_000; i++)
        {
            var utc = new DateTimeOffset(DateTimeOffset.MinValue.UtcTicks + random.NextInt64(span), TimeSpan.Zero);
            var offset = TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1));
            var instant = utc.UtcTicks + offset.Ticks is var local && local >= DateTime.MinValue.Ticks && local <= DateTime.MaxValue.Ticks
                ? utc.ToOffset(offset)
                : utc;

            Assert.Equal(Expected(instant), RallyHereTime.Format(instant));
        }
    }

    private static string Expected(DateTimeOffset instant) => instant.ToUniversalTime().ToString(Pattern, CultureInfo.InvariantCulture);
}
