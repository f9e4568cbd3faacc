namespace Entitlements.Webhooks;

/// <summary>
/// The wait before the next attempt: <c>InitialBackoff</c> doubled after each failure, capped at
/// <c>MaxBackoff</c>, with "equal jitter" (between half and all of it) so that many webhooks failing
/// together do not retry in step. A <c>Retry-After</c> from the endpoint wins, capped at <c>MaxBackoff</c>.
/// </summary>
public static class WebhookBackoff
{
    public static TimeSpan Delay(WebhookEndpointOptions webhook, int failures, TimeSpan? retryAfter, Random random)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        if (retryAfter is { } requested)
        {
            return requested < TimeSpan.Zero ? TimeSpan.Zero : Min(requested, webhook.MaxBackoff);
        }

        var exponent = Math.Min(failures - 1, 30);
        var ticks = Math.Min(webhook.InitialBackoff.Ticks * Math.Pow(2, exponent), webhook.MaxBackoff.Ticks);
        var jittered = (ticks / 2) + (random.NextDouble() * ticks / 2);
        return TimeSpan.FromTicks((long)jittered);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
