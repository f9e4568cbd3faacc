using Entitlements.Webhooks;

namespace Entitlements.Tests.Webhooks;

public sealed class WebhookBackoffTests
{
    private static readonly WebhookEndpointOptions Webhook = new() { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(10) };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(5, 10)]
    [InlineData(40, 10)]
    public void Delay_AfterFailures_IsBetweenHalfAndAllOfTheCappedDoubling(int failures, int seconds)
    {
        var lowest = WebhookBackoff.Delay(Webhook, failures, null, new FixedRandom(0));
        var highest = WebhookBackoff.Delay(Webhook, failures, null, new FixedRandom(1));

        Assert.Equal(TimeSpan.FromSeconds(seconds / 2.0), lowest);
        Assert.Equal(TimeSpan.FromSeconds(seconds), highest);
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(60, 10)]
    [InlineData(-5, 0)]
    public void Delay_WithRetryAfter_UsesItCappedAtMaxBackoff(int retryAfter, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), WebhookBackoff.Delay(Webhook, 1, TimeSpan.FromSeconds(retryAfter), new FixedRandom(0.5)));
    }

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }
}
