namespace Entitlements.Gateway.Auth;

/// <summary>
/// Checks again, for as long as a connection that outlives its request is open (a push), the credential
/// that opened it: at the time its <c>exp</c> (with the clock skew) is past, and whenever the key set is
/// replaced by one with other keys, since the key that verified it may have been removed or changed (a
/// re-read that finds the same keys wakes no watch). A token is thus refused on a
/// long connection exactly when it would be refused on a new request.
/// </summary>
public sealed class CredentialWatch(JwtValidator validator, SigningKeySet keys, TimeProvider time)
{
    /// <summary>The shortest wait between two checks, so that a clock that disagrees with the validator's cannot make the watch spin.</summary>
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest single wait (<see cref="Task.Delay(TimeSpan, TimeProvider)"/> takes no more than about 49 days).</summary>
    private static readonly TimeSpan MaximumWait = TimeSpan.FromDays(1);

    /// <summary>
    /// Completes with the rejection once <paramref name="credential"/> (what the request was authenticated
    /// with, <c>Bearer &lt;jwt&gt;</c>) is no longer accepted; with null when <paramref name="cancellationToken"/>
    /// ends the watch first.
    /// </summary>
    public async Task<TokenRejection?> UntilRejectedAsync(string credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        try
        {
            while (true)
            {
                // Taken before the check: a set replaced while it runs wakes the next wait at once.
                var replaced = keys.Replaced;
                var (token, rejection) = await validator.ValidateAsync(credential, cancellationToken);
                if (rejection is not null)
                {
                    return rejection;
                }

                var wait = validator.RejectedFrom(token!) - time.GetUtcNow();
                wait = wait < MinimumWait ? MinimumWait : wait > MaximumWait ? MaximumWait : wait;
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, replaced);
                try
                {
                    await Task.Delay(wait, time, either.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The key set changed: check again, off the thread that replaced it (every open
                    // connection wakes at once, and the request that caused the re-read waits for that thread).
                    await Task.Yield();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
