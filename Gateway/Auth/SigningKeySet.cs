using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Auth;

/// <summary>
/// The keys tokens may be signed with, by <c>kid</c>: the development issuer's and those of the
/// configured JWKS file or URL. The set is loaded when the first token arrives, and a token naming an
/// unknown <c>kid</c> makes it load its sources again, at most once per
/// <see cref="AuthOptions.KeyRefreshIntervalSeconds"/> after the last load that succeeded, so a rotated key is
/// picked up without a restart. A load that failed may be tried again after <see cref="FailedLoadBackoff"/>:
/// an issuer unreachable for a moment must not cost its tokens the whole interval. A load that succeeds
/// and finds the keys changed starts a new <see cref="Generation"/>, which is how <see cref="ValidatedTokenCache"/>
/// knows that its entries were verified by an older set; one that finds the same keys (the same kids with
/// the same key material) keeps the set in use, so that any client able to name an unknown <c>kid</c>
/// cannot empty the cache and wake every open push connection's <see cref="CredentialWatch"/> once per interval.
/// <para>
/// Tokens that name known kids never cause a load, so once loaded the set is also read again when it
/// reaches <see cref="MaxAge"/>, by a timer and whatever the tokens name: a key removed from the sources
/// (a normal rotation ends with one) then stops being accepted within that age. That read runs in the
/// background, through the same one-at-a-time load as the others: requests keep using the set in hand,
/// and one that needs a load waits for the running one. A read that fails keeps the set and is tried again
/// after <see cref="RetryAfterFailedRead"/>.
/// </para>
/// <para>
/// A key of a source that cannot be used (<see cref="JsonWebKeys.Parse"/>) is passed over with one warning
/// naming it and the reason, at the read that first finds it so; re-reads that pass over the same keys say nothing more.
/// </para>
/// </summary>
public sealed partial class SigningKeySet(
    IOptions<AuthOptions> options,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<SigningKeySet> logger,
    DevelopmentIssuer? developmentIssuer = null) : IDisposable
{
    /// <summary>The least time between a failed load and the next attempt (shorter when the interval is).</summary>
    public static readonly TimeSpan FailedLoadBackoff = TimeSpan.FromSeconds(1);

    /// <summary>The longest a load may take, file and URL together.</summary>
    public static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The longest the age timer is set for at once (a system timer takes no more than about 49 days); it is set again when it fires early.</summary>
    private static readonly TimeSpan LongestTimerWait = TimeSpan.FromDays(1);

    private readonly Lock _gate = new();
    private volatile Snapshot _current = new(FrozenDictionary<string, SigningKey>.Empty, 0, new CancellationTokenSource());
    private Task? _loading;
    private DateTimeOffset _lastSuccess = DateTimeOffset.MinValue;
    private DateTimeOffset _lastFailure = DateTimeOffset.MinValue;
    private volatile Exception? _lastError;
    private ITimer? _ageTimer;
    private bool _disposed;

    /// <summary>The keys the last read that succeeded passed over (only ever used by the one load running).</summary>
    private List<(string Source, SkippedJsonWebKey Key)> _lastSkipped = [];

    /// <summary>
    /// Which set is in use: 0 before the first load that succeeded, then one more after every load that
    /// found keys other than those in use (a key added, removed or changed under its kid).
    /// </summary>
    public long Generation => _current.Generation;

    /// <summary>
    /// Canceled when the set in use now is replaced (a re-read that succeeded and found other keys): a connection that outlives
    /// its request checks its token again then, since the key that verified it may be gone.
    /// </summary>
    public CancellationToken Replaced => _current.Replaced.Token;

    /// <summary>
    /// The age at which the set in use is read again whatever the tokens name: <see cref="AuthOptions.KeySetMaxAgeSeconds"/>,
    /// or <see cref="AuthOptions.KeyRefreshIntervalSeconds"/> when that is longer (no read comes sooner than it after one that succeeded).
    /// </summary>
    private TimeSpan MaxAge
    {
        get
        {
            var settings = options.Value;
            return TimeSpan.FromSeconds(Math.Max(1, Math.Max(settings.KeySetMaxAgeSeconds, settings.KeyRefreshIntervalSeconds)));
        }
    }

    /// <summary>The wait after a failed read before the age timer tries again: the refresh interval, at least <see cref="FailedLoadBackoff"/>.</summary>
    private TimeSpan RetryAfterFailedRead
    {
        get
        {
            var interval = TimeSpan.FromSeconds(Math.Max(0, options.Value.KeyRefreshIntervalSeconds));
            return interval > FailedLoadBackoff ? interval : FailedLoadBackoff;
        }
    }

    /// <summary>The key named <paramref name="keyId"/>, if any, and the <see cref="Generation"/> of the set it was looked up in.</summary>
    /// <param name="cancellationToken">
    /// Ends this caller's wait for a load, not the load: it is shared by every token that needs it, and one
    /// client that hangs up must not cost the others the keys it was fetching.
    /// </param>
    /// <exception cref="SigningKeysUnavailableException">
    /// No load has ever succeeded: whether the token is good cannot be known, and it must not be refused
    /// as if it were not.
    /// </exception>
    public async ValueTask<(SigningKey? Key, long Generation)> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var current = _current;
        if (current.Keys.TryGetValue(keyId, out var key))
        {
            return (key, current.Generation);
        }

        if (LoadFor(keyId) is { } loading)
        {
            await loading.WaitAsync(cancellationToken);
        }

        current = _current;
        if (current.Generation == 0)
        {
            throw new SigningKeysUnavailableException("No signing key set has been loaded yet: its last load failed.", _lastError);
        }

        return (current.Keys.GetValueOrDefault(keyId), current.Generation);
    }

    /// <summary>The load to wait for: the one running, or a new one when the set lacks the key and may be loaded now; null when it may not.</summary>
    private Task? LoadFor(string keyId)
    {
        lock (_gate)
        {
            if (_loading is { IsCompleted: false } running)
            {
                return running;
            }

            if (_current.Keys.ContainsKey(keyId))
            {
                return null;
            }

            var interval = TimeSpan.FromSeconds(Math.Max(0, options.Value.KeyRefreshIntervalSeconds));
            var backoff = interval < FailedLoadBackoff ? interval : FailedLoadBackoff;
            var now = time.GetUtcNow();
            if (now - _lastSuccess < interval || now - _lastFailure < backoff)
            {
                return null;
            }

            // Started off the caller's context and token: it runs to its end whoever stops waiting.
            return _loading = Task.Run(LoadAsync, CancellationToken.None);
        }
    }

    /// <summary>Replace the whole set, so that a key removed from the sources stops being accepted. Never throws.</summary>
    private async Task LoadAsync()
    {
        using var timeout = new CancellationTokenSource(LoadTimeout);
        List<SigningKey> keys;
        List<(string Source, SkippedJsonWebKey Key)> skipped;
        try
        {
            (keys, skipped) = await ReadAsync(timeout.Token);
        }
        catch (Exception exception)
        {
            // Whatever went wrong (an unreachable or slow source, a broken document), nobody but the waiting
            // requests would see it: keep the keys we have and let the next attempt wait for the back-off.
            LogRefreshFailed(logger, exception);
            lock (_gate)
            {
                _lastFailure = time.GetUtcNow();
                _lastError = exception;
                if (_current.Generation > 0)
                {
                    // The set in hand grows older: read it again when it is due, and not before the retry wait.
                    var due = _lastSuccess + MaxAge - _lastFailure;
                    ScheduleRead(due > RetryAfterFailedRead ? due : RetryAfterFailedRead);
                }
            }

            return;
        }

        // Said once per key set: a periodic re-read that finds the same keys passed over says nothing again.
        if (!skipped.SequenceEqual(_lastSkipped))
        {
            foreach (var group in skipped.GroupBy(entry => entry.Source))
            {
                JsonWebKeys.LogSkipped(logger, group.Key, group.Select(entry => entry.Key));
            }

            _lastSkipped = skipped;
        }

        var byId = keys.ToDictionary(key => key.KeyId, StringComparer.Ordinal);

        Snapshot previous;
        lock (_gate)
        {
            _lastSuccess = time.GetUtcNow();
            _lastError = null;
            ScheduleRead(MaxAge);

            // Only ever replaced here, by the one load running: the generation cannot be counted twice.
            previous = _current;
            if (previous.Generation > 0 && SameKeys(previous.Keys, byId))
            {
                // Nothing a token is checked against has changed: what was verified stays verified.
                return;
            }

            _current = new Snapshot(byId.ToFrozenDictionary(StringComparer.Ordinal), previous.Generation + 1, new CancellationTokenSource());
        }

        // Outside the lock: the callbacks run here. Not disposed: a token taken from it may still be registered with.
        await previous.Replaced.CancelAsync();
    }

    /// <summary>Stop the age timer; a read that is running ends on its own (<see cref="LoadTimeout"/>).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _ageTimer?.Dispose();
            _ageTimer = null;
        }
    }

    /// <summary>Set the age timer to fire after <paramref name="due"/> (at most <see cref="LongestTimerWait"/>). Called under the lock.</summary>
    private void ScheduleRead(TimeSpan due)
    {
        if (_disposed)
        {
            return;
        }

        _ageTimer ??= time.CreateTimer(static state => ((SigningKeySet)state!).ReadWhenOld(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _ageTimer.Change(due < LongestTimerWait ? due : LongestTimerWait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The age timer fired: start a read of the set if it has reached <see cref="MaxAge"/> (set the timer again if not yet).
    /// Nothing waits for that read; a load already running sets the timer again when it ends.
    /// </summary>
    private void ReadWhenOld()
    {
        lock (_gate)
        {
            if (_disposed || _loading is { IsCompleted: false })
            {
                return;
            }

            var age = time.GetUtcNow() - _lastSuccess;
            if (age < MaxAge)
            {
                ScheduleRead(MaxAge - age);
                return;
            }

            // Off the timer's thread, as a load for a token is off the request's.
            _loading = Task.Run(LoadAsync, CancellationToken.None);
        }
    }

    /// <summary>Whether <paramref name="loaded"/> holds exactly the kids of <paramref name="current"/>, each with the same key.</summary>
    private static bool SameKeys(FrozenDictionary<string, SigningKey> current, Dictionary<string, SigningKey> loaded) =>
        current.Count == loaded.Count
        && loaded.All(pair => current.TryGetValue(pair.Key, out var key) && key.HasSameKeyAs(pair.Value));

    /// <summary>
    /// The keys of every source, the development issuer's first, then the file's, then the URL's, and the keys
    /// passed over with their source. A kid given twice is the first key's (<see cref="JsonWebKeys.Parse"/>).
    /// </summary>
    private async Task<(List<SigningKey> Keys, List<(string Source, SkippedJsonWebKey Key)> Skipped)> ReadAsync(CancellationToken cancellationToken)
    {
        var keys = new List<SigningKey>();
        var skipped = new List<(string, SkippedJsonWebKey)>();
        var kidsTaken = new HashSet<string>(StringComparer.Ordinal);
        if (developmentIssuer is not null)
        {
            keys.Add(developmentIssuer.PublicKey);
            kidsTaken.Add(developmentIssuer.KeyId);
        }

        var settings = options.Value;
        if (settings.JwksFile is { } file)
        {
            Add(JsonWebKeys.Parse(await File.ReadAllTextAsync(file, cancellationToken), kidsTaken), $"{AuthOptions.SectionName}:JwksFile");
        }

        if (settings.JwksUrl is { } url)
        {
            using var client = httpClients.CreateClient(nameof(SigningKeySet));
            client.Timeout = LoadTimeout;
            Add(JsonWebKeys.Parse(await client.GetStringAsync(url, cancellationToken), kidsTaken), $"{AuthOptions.SectionName}:JwksUrl");
        }

        return (keys, skipped);

        void Add(JsonWebKeySet set, string source)
        {
            keys.AddRange(set.Keys);
            skipped.AddRange(set.Skipped.Select(key => (source, key)));
        }
    }

    /// <summary>The keys and their generation, swapped as one so that no reader sees one without the other; <see cref="Replaced"/> is canceled when the next replaces it.</summary>
    private sealed record Snapshot(FrozenDictionary<string, SigningKey> Keys, long Generation, CancellationTokenSource Replaced);
}
