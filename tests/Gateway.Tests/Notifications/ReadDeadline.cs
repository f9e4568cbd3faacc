namespace Entitlements.Tests.Notifications;

/// <summary>
/// One deadline for a whole read loop of a push connection, not one per read: heartbeats keep every
/// single read short, so a loop waiting for something that never comes would otherwise read on until the
/// test host is killed. Past the deadline the loop fails saying what it waited for and what came instead.
/// </summary>
internal sealed class ReadDeadline(string awaited, TimeSpan within) : IDisposable
{
    private const int Shown = 10;

    private readonly CancellationTokenSource _timeout = new(within);
    private readonly Queue<string> _arrived = new();
    private int _received;
    private int _heartbeats;

    /// <summary>Run one read under the loop's deadline; past it, the test fails.</summary>
    public async Task<T> ReadAsync<T>(Func<CancellationToken, Task<T>> read)
    {
        try
        {
            return await read(_timeout.Token);
        }
        catch (OperationCanceledException) when (_timeout.IsCancellationRequested)
        {
            Assert.Fail(
                $"waited {within} for {awaited}; meanwhile {_heartbeats} heartbeat(s) and {_received} other message(s) arrived"
                + (_received == 0 ? string.Empty : $", the last {_arrived.Count}:\n{string.Join('\n', _arrived)}"));
            throw;
        }
    }

    public void Heartbeat() => _heartbeats++;

    public void Arrived(string text)
    {
        _received++;
        _arrived.Enqueue(text);
        if (_arrived.Count > Shown)
        {
            _arrived.Dequeue();
        }
    }

    public void Dispose() => _timeout.Dispose();
}
