using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Auth;

/// <summary>
/// The keys tokens may be signed with, by <c>kid</c>: the development issuer's and those of the
/// configured JWKS file or URL. A token naming an unknown <c>kid</c> makes the set re-read its
/// sources, at most once per <see cref="AuthOptions.KeyRefreshIntervalSeconds"/>, so a rotated key
/// is picked up without a restart. Every re-read that succeeds starts a new <see cref="Generation"/>,
/// which is how <see cref="ValidatedTokenCache"/> knows that its entries were verified by an older set.
/// </summary>
public sealed partial class SigningKeySet(
    IOptions<AuthOptions> options,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<SigningKeySet> logger,
    DevelopmentIssuer? developmentIssuer = null) : IDisposable
{
    private volatile Snapshot _current = new(FrozenDictionary<string, SigningKey>.Empty, 0);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private DateTimeOffset _lastRefresh = DateTimeOffset.MinValue;

    /// <summary>
    /// Which set is in use: 0 before the first read, then one more after every re-read that replaced the
    /// set (whatever it holds, the same keys included).
    /// </summary>
    public long Generation => _current.Generation;

    public void Dispose() => _refresh.Dispose();

    /// <summary>The key named <paramref name="keyId"/>, if any, and the <see cref="Generation"/> of the set it was looked up in.</summary>
    public async ValueTask<(SigningKey? Key, long Generation)> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var current = _current;
        if (current.Keys.TryGetValue(keyId, out var key))
        {
            return (key, current.Generation);
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            var interval = TimeSpan.FromSeconds(Math.Max(0, options.Value.KeyRefreshIntervalSeconds));
            if (!_current.Keys.ContainsKey(keyId) && time.GetUtcNow() - _lastRefresh >= interval)
            {
                _lastRefresh = time.GetUtcNow();
                await ReloadAsync(cancellationToken);
            }
        }
        finally
        {
            _refresh.Release();
        }

        current = _current;
        return (current.Keys.GetValueOrDefault(keyId), current.Generation);
    }

    /// <summary>Replace the whole set, so that a key removed from the sources stops being accepted.</summary>
    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var keys = new List<SigningKey>();
        if (developmentIssuer is not null)
        {
            keys.Add(developmentIssuer.PublicKey);
        }

        var settings = options.Value;
        try
        {
            if (settings.JwksFile is { } file)
            {
                keys.AddRange(JsonWebKeys.Parse(await File.ReadAllTextAsync(file, cancellationToken)));
            }

            if (settings.JwksUrl is { } url)
            {
                using var client = httpClients.CreateClient(nameof(SigningKeySet));
                client.Timeout = TimeSpan.FromSeconds(5);
                keys.AddRange(JsonWebKeys.Parse(await client.GetStringAsync(url, cancellationToken)));
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or HttpRequestException or FormatException or System.Text.Json.JsonException or TaskCanceledException)
        {
            // Keep the keys we have; the next unknown kid after the interval tries again.
            LogRefreshFailed(logger, exception);
            return;
        }

        var byId = new Dictionary<string, SigningKey>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            byId[key.KeyId] = key;
        }

        // Only ever replaced here, under the refresh lock: the generation cannot be counted twice.
        _current = new Snapshot(byId.ToFrozenDictionary(StringComparer.Ordinal), _current.Generation + 1);
    }

    /// <summary>The keys and their generation, swapped as one so that no reader sees one without the other.</summary>
    private sealed record Snapshot(FrozenDictionary<string, SigningKey> Keys, long Generation);
}
