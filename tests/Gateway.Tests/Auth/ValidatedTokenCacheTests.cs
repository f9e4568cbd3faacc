using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Auth;

/// <summary>
/// The validated-token cache (<c>Auth:ValidatedTokenCacheSize</c>, here <see cref="TokenCacheGatewayFixture.CacheSize"/>),
/// over real HTTP: a token sent again skips the signature check, yet is refused at <c>exp</c> and before
/// <c>nbf</c> exactly as a fresh validation refuses it, and nothing of it survives a re-read that changes the key set.
/// The signature checks and cache hits are read from the gateway's own counters.
/// </summary>
public sealed class ValidatedTokenCacheTests(TokenCacheGatewayFixture fixture) : IClassFixture<TokenCacheGatewayFixture>
{
    private const int Skew = TokenCacheGatewayFixture.SkewSeconds;

    private readonly HttpClient _client = fixture.Client;
    private readonly TestKeys _keys = fixture.Keys;

    private long Now => fixture.Time.GetUtcNow().ToUnixTimeSeconds();

    [Fact]
    public async Task Cache_SameTokenAgain_IsAcceptedWithoutASignatureCheck()
    {
        var token = _keys.Es256(Claims());
        using var counters = new AuthCounters(fixture);

        var first = await _client.ProbeAsync(token);
        var second = await _client.ProbeAsync(token);
        var third = await _client.ProbeAsync(token);

        AuthHttp.ProbeAccepted(first);
        AuthHttp.ProbeAccepted(second);
        AuthHttp.ProbeAccepted(third);
        Assert.Equal(1, counters.SignatureChecks);
        Assert.Equal(2, counters.CacheHits);
    }

    [Fact]
    public async Task Cache_SameTokenAgain_GivesTheSameAccessToken()
    {
        var player = Guid.NewGuid();
        var token = _keys.Rs256(Claims(["inv:catalog:read", "inv:entitlements:*"], player.ToString("D")));
        using var counters = new AuthCounters(fixture);

        var (fresh, freshRejection) = await fixture.Validator.ValidateAsync("Bearer " + token, CancellationToken.None);
        var (cached, cachedRejection) = await fixture.Validator.ValidateAsync("Bearer " + token, CancellationToken.None);

        Assert.Null(freshRejection);
        Assert.Null(cachedRejection);
        Assert.Equal(player.ToString("D"), fresh!.Subject);
        Assert.Equal(player.ToString("D"), cached!.Subject);
        Assert.Equal(player, cached.Player);
        Assert.Equal(["inv:catalog:read", "inv:entitlements:*"], fresh.Permissions);
        Assert.Equal(["inv:catalog:read", "inv:entitlements:*"], cached.Permissions);
        Assert.True(cached.Has("inv:entitlements:read"));
        Assert.False(cached.Has("inv:entitlement_event:read"));
        Assert.Equal(1, counters.SignatureChecks);
        Assert.Equal(1, counters.CacheHits);
    }

    [Fact]
    public async Task Cache_CachedTokenWithoutTheRoutesPermission_Returns403InsufficientPermissionsAsWhenFresh()
    {
        var token = _keys.Es256(Claims());
        using var counters = new AuthCounters(fixture);

        var fresh = await _client.SendAuthAsync(HttpMethod.Get, GatewayHttp.EventsPath, "Bearer " + token);
        var allowed = await _client.ProbeAsync(token);
        var cached = await _client.SendAuthAsync(HttpMethod.Get, GatewayHttp.EventsPath, "Bearer " + token);

        AuthHttp.Forbidden(fresh);
        AuthHttp.ProbeAccepted(allowed);
        AuthHttp.Forbidden(cached);
        Assert.Equal(fresh.Body, cached.Body);
        Assert.Equal(1, counters.SignatureChecks);
        Assert.Equal(2, counters.CacheHits);
    }

    [Fact]
    public async Task Cache_TokenExpiringWhileCached_IsRefusedWithTheBodyOfAFreshValidation()
    {
        var expires = Now + 60;
        var claims = Claims();
        claims["exp"] = expires;
        var token = _keys.Es256(claims);
        using var counters = new AuthCounters(fixture);

        var accepted = await _client.ProbeAsync(token);
        fixture.Time.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(expires + Skew - 1));
        var lastSecond = await _client.ProbeAsync(token);
        fixture.Time.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(expires + Skew));
        var cachedRefusal = await _client.ProbeAsync(token);
        var checksFromTheCache = counters.SignatureChecks;
        await ChangeKeySetAsync();
        var freshRefusal = await _client.ProbeAsync(token);

        AuthHttp.ProbeAccepted(accepted);
        AuthHttp.ProbeAccepted(lastSecond);
        AuthHttp.Rejected("auth_token_expired", AuthHttp.Expired, cachedRefusal);
        AuthHttp.Rejected("auth_token_expired", AuthHttp.Expired, freshRefusal);
        Assert.Equal(freshRefusal.Body, cachedRefusal.Body);
        Assert.Equal(1, checksFromTheCache);
        Assert.Equal(2, counters.SignatureChecks);
        Assert.Equal(2, counters.CacheHits);
    }

    [Fact]
    public async Task Cache_ClockSetBackBeforeNbf_IsRefusedWithTheBodyOfAFreshValidation()
    {
        var notBefore = Now;
        var claims = Claims();
        claims["nbf"] = notBefore;
        var token = _keys.Es256(claims);
        using var counters = new AuthCounters(fixture);

        var accepted = await _client.ProbeAsync(token);
        // The wall clock stepped back, as after a correction: nbf is checked again on every use.
        fixture.Time.AdjustTime(DateTimeOffset.FromUnixTimeSeconds(notBefore - Skew));
        var firstSecond = await _client.ProbeAsync(token);
        fixture.Time.AdjustTime(DateTimeOffset.FromUnixTimeSeconds(notBefore - Skew - 1));
        var cachedRefusal = await _client.ProbeAsync(token);
        var checksFromTheCache = counters.SignatureChecks;
        await ChangeKeySetAsync();
        var freshRefusal = await _client.ProbeAsync(token);

        AuthHttp.ProbeAccepted(accepted);
        AuthHttp.ProbeAccepted(firstSecond);
        AuthHttp.Rejected("auth_token_invalid_claim", AuthHttp.InvalidClaim("nbf"), cachedRefusal);
        AuthHttp.Rejected("auth_token_invalid_claim", AuthHttp.InvalidClaim("nbf"), freshRefusal);
        Assert.Equal(freshRefusal.Body, cachedRefusal.Body);
        Assert.Equal(1, checksFromTheCache);
        Assert.Equal(2, counters.SignatureChecks);
        Assert.Equal(2, counters.CacheHits);
    }

    [Fact]
    public async Task Cache_KeySetReadAgainForARotatedKey_ChecksCachedTokensAgain()
    {
        var token = _keys.Es256(Claims());
        AuthHttp.ProbeAccepted(await _client.ProbeAsync(token));
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = _keys.Rotate(next, "cache-rotated-" + Guid.NewGuid().ToString("N"));
        using var counters = new AuthCounters(fixture);

        var rotated = await _client.ProbeAsync(_keys.Es256(Claims(), keyId: kid, key: next));
        var afterRotation = await _client.ProbeAsync(token);
        var again = await _client.ProbeAsync(token);

        AuthHttp.ProbeAccepted(rotated);
        AuthHttp.ProbeAccepted(afterRotation);
        AuthHttp.ProbeAccepted(again);
        // The rotated key's token, then the cached token checked anew against the re-read set, then a hit.
        Assert.Equal(2, counters.SignatureChecks);
        Assert.Equal(1, counters.CacheHits);
    }

    [Fact]
    public async Task Cache_KeyRemovedFromTheKeySet_RefusesTheCachedToken()
    {
        var token = _keys.Es256(Claims());
        AuthHttp.ProbeAccepted(await _client.ProbeAsync(token));
        AuthHttp.ProbeAccepted(await _client.ProbeAsync(token));
        try
        {
            _keys.PublishWithout(_keys.EcKeyId);
            await ReadKeySetAgainAsync();
            using var counters = new AuthCounters(fixture);

            var revoked = await _client.ProbeAsync(token);

            AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, revoked);
            Assert.Equal(0, counters.CacheHits);
        }
        finally
        {
            _keys.Publish();
        }

        AuthHttp.ProbeAccepted(await _client.ProbeAsync(token));
    }

    [Fact]
    public async Task Cache_MoreTokensThanEntries_EmptiesWhenFullAndStaysWithinItsBound()
    {
        await ChangeKeySetAsync();
        var tokens = Enumerable.Range(0, TokenCacheGatewayFixture.CacheSize + 3).Select(_ => _keys.Es256(Claims())).ToList();
        var counts = new List<int>();

        foreach (var token in tokens)
        {
            AuthHttp.ProbeAccepted(await _client.ProbeAsync(token));
            counts.Add(fixture.Cache.Count);
        }

        using var counters = new AuthCounters(fixture);
        AuthHttp.ProbeAccepted(await _client.ProbeAsync(tokens[^1]));
        var hitsForTheLast = counters.CacheHits;
        AuthHttp.ProbeAccepted(await _client.ProbeAsync(tokens[0]));

        // The first addition after the re-read empties the cache; the ninth finds it full and empties it again.
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3], counts);
        Assert.Equal(1, hitsForTheLast);
        Assert.Equal(1, counters.SignatureChecks);
        Assert.Equal(4, fixture.Cache.Count);
        Assert.Equal(TokenCacheGatewayFixture.CacheSize, fixture.Cache.Capacity);
    }

    [Fact]
    public async Task Cache_ManyTokensAtOnce_StaysWithinItsBound()
    {
        await ChangeKeySetAsync();
        AuthHttp.ProbeAccepted(await _client.ProbeAsync(_keys.Es256(Claims())));
        var tokens = Enumerable.Range(0, 61).Select(_ => _keys.Es256(Claims())).ToList();
        using var counters = new AuthCounters(fixture);

        var responses = await Task.WhenAll(tokens.Select(token => _client.ProbeAsync(token)));

        Assert.All(responses, AuthHttp.ProbeAccepted);
        Assert.Equal(61, counters.SignatureChecks);
        // Additions are serialized: 1 + 61 tokens fill the 8 entries 7 times and leave 6, in whatever order they came.
        Assert.Equal(6, fixture.Cache.Count);
    }

    /// <summary>
    /// Add a key to the key set's file and make the set re-read it: a re-read that finds the same keys
    /// keeps the generation, and with it the cache.
    /// </summary>
    private async Task ChangeKeySetAsync()
    {
        using (var added = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            _keys.Rotate(added, "added-" + Guid.NewGuid().ToString("N"));
        }

        await ReadKeySetAgainAsync();
    }

    /// <summary>Make the key set re-read its file, which has changed (a token with an unknown kid, refused): one new generation.</summary>
    private async Task ReadKeySetAgainAsync()
    {
        var keySet = fixture.App.Services.GetRequiredService<SigningKeySet>();
        var before = keySet.Generation;

        var response = await _client.ProbeAsync(_keys.Es256(Claims(), keyId: "unknown-" + Guid.NewGuid().ToString("N"), key: _keys.Stranger));

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, response);
        Assert.Equal(before + 1, keySet.Generation);
    }

    /// <summary>Claims of a token valid for an hour of the validator's time, each token unique (its own <c>jti</c>).</summary>
    private JsonObject Claims(IEnumerable<string>? permissions = null, string subject = "service-account")
    {
        var claims = TestKeys.Claims(permissions ?? [AuthHttp.ProbePermission], subject);
        claims["iat"] = Now;
        claims["exp"] = Now + 3600;
        claims["jti"] = Guid.NewGuid().ToString("N");
        return claims;
    }
}
