using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Auth;

/// <summary>
/// The keys tokens may be signed with, by <c>kid</c>: the development issuer's and those of the
/// configured JWKS file or URL. A token naming an unknown <c>kid</c> makes the set re-read its
/// sources, at most once per <see cref="AuthOptions.KeyRefreshIntervalSeconds"/>, so a rotated key
/// is picked up without a restart.
/// </summary>
public sealed partial class SigningKeySet(
    IOptions<AuthOptions> options,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<SigningKeySet> logger,
    DevelopmentIssuer? developmentIssuer = null) : IDisposable
{
    private volatile FrozenDictionary<string, SigningKey> _keys = FrozenDictionary<string, SigningKey>.Empty;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private DateTimeOffset _lastRefresh = DateTimeOffset.MinValue;

    public void Dispose() => _refresh.Dispose();

    public async ValueTask<SigningKey?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        if (_keys.TryGetValue(keyId, out var key))
        {
            return key;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            var interval = TimeSpan.FromSeconds(Math.Max(0, options.Value.KeyRefreshIntervalSeconds));
            if (!_keys.ContainsKey(keyId) && time.GetUtcNow() - _lastRefresh >= interval)
            {
                _lastRefresh = time.GetUtcNow();
                await ReloadAsync(cancellationToken);
            }
        }
        finally
        {
            _refresh.Release();
        }

        return _keys.GetValueOrDefault(keyId);
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

        _keys = byId.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
