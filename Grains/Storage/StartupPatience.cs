using System.Data.Common;
using System.Globalization;

namespace Entitlements.Storage;

/// <summary>
/// How a starting process waits for its database (docker compose starting both at once): an attempt is
/// made again after each transient database failure (a connection refused, not a bad schema), every
/// <see cref="StorageOptions.StartupRetrySeconds"/>, for at most <see cref="StorageOptions.StartupWaitSeconds"/>;
/// then the last failure stops the start, with a message that says what was waited for.
/// </summary>
public static class StartupPatience
{
    public static async Task RunAsync(
        StorageOptions storage, string what, Func<CancellationToken, Task> attempt, Action<DbException, int, TimeSpan> retrying, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(retrying);
        var wait = TimeSpan.FromSeconds(Math.Max(0, storage.StartupWaitSeconds));
        var pause = TimeSpan.FromSeconds(Math.Max(1, storage.StartupRetrySeconds));
        var started = DateTime.UtcNow;
        for (var attempts = 1; ; attempts++)
        {
            try
            {
                await attempt(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DbException exception) when (exception.IsTransient)
            {
                var waited = DateTime.UtcNow - started;
                if (waited + pause > wait)
                {
                    throw new InvalidOperationException(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"{what} was still unreachable after {attempts} attempts in {waited.TotalSeconds:0} s (Storage:StartupWaitSeconds = {storage.StartupWaitSeconds}): {exception.Message}"),
                        exception);
                }

                retrying(exception, attempts, pause);
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
