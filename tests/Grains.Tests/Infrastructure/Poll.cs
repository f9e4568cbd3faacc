namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// Waits for a condition that something else in the test (a grain, a stream, the relay, a store) makes
/// true in its own time: the condition is checked, then again after each <c>interval</c>, and the test
/// fails with <c>failure</c> once <c>timeout</c> has passed without it holding.
/// </summary>
internal static class Poll
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(10);

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string failure, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, failure, interval);

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(interval ?? DefaultInterval);
        }
    }
}
