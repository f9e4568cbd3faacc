namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// Waits for a condition that something else in the test (a grain, a stream, the relay, a store, a process)
/// makes true in its own time: the condition is checked, then again after each <c>interval</c>, and the test
/// fails with <c>failure</c> once <c>timeout</c> has passed without it holding. Shared by both test projects.
/// </summary>
internal static class Poll
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(10);

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string failure, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, () => failure, interval);

    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure, TimeSpan? interval = null) =>
        UntilAsync(condition, timeout, () => failure, interval);

    /// <param name="failure">The failure's message, made when the time is up (so it can say what the state was then).</param>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> failure, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, failure, interval);

    /// <param name="failure">The failure's message, made when the time is up (so it can say what the state was then).</param>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> failure, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail(failure());
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }
}
