using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Auth;

/// <summary>
/// What a re-read of the key set (a token with an unknown <c>kid</c> once the refresh interval has passed)
/// changes, against a gateway whose keys come from a JWKS URL that counts its fetches
/// (<see cref="KeySourceGateway"/>): the same keys keep the set in use, its cached tokens and its
/// <see cref="SigningKeySet.Replaced"/> token, so that anyone able to send a made-up <c>kid</c> cannot empty
/// the cache or wake every push connection; other keys start a new one. Each test has a gateway of its own.
/// </summary>
public sealed class KeySetReloadTests
{
    [Fact]
    public async Task Reload_SameKeys_KeepsTheGenerationAndTheCachedTokens()
    {
        await using var gateway = await KeySourceGateway.StartAsync();
        var (client, keys, endpoint) = (gateway.Client, gateway.Keys, gateway.Endpoint);
        var keySet = gateway.App.Services.GetRequiredService<SigningKeySet>();
        var token = keys.Es256(Claims());
        AuthHttp.ProbeAccepted(await client.ProbeAsync(token));
        var (generation, replaced) = (keySet.Generation, keySet.Replaced);
        gateway.Time.Advance(TimeSpan.FromSeconds(KeySourceGateway.RefreshIntervalSeconds));
        using var counters = new AuthCounters(gateway);

        // Any signature will do: the key is looked up before the signature is checked.
        var unknown = await client.ProbeAsync(keys.Es256(Claims(), keyId: "random-" + Guid.NewGuid().ToString("N"), key: keys.Stranger));
        var again = await client.ProbeAsync(token);

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, unknown);
        AuthHttp.ProbeAccepted(again);
        Assert.Equal(2, endpoint.Requests);
        Assert.Equal(1L, generation);
        Assert.Equal(1L, keySet.Generation);
        Assert.False(replaced.IsCancellationRequested);
        Assert.Equal(0, counters.SignatureChecks);
        Assert.Equal(1, counters.CacheHits);
    }

    [Fact]
    public async Task Reload_KeyAdded_StartsANewGenerationAndChecksCachedTokensAgain()
    {
        await using var gateway = await KeySourceGateway.StartAsync();
        var (client, keys, endpoint) = (gateway.Client, gateway.Keys, gateway.Endpoint);
        var keySet = gateway.App.Services.GetRequiredService<SigningKeySet>();
        var token = keys.Es256(Claims());
        AuthHttp.ProbeAccepted(await client.ProbeAsync(token));
        var replaced = keySet.Replaced;
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = keys.Rotate(next, "rotated-" + Guid.NewGuid().ToString("N"));
        gateway.Time.Advance(TimeSpan.FromSeconds(KeySourceGateway.RefreshIntervalSeconds));
        using var counters = new AuthCounters(gateway);

        var rotated = await client.ProbeAsync(keys.Es256(Claims(), keyId: kid, key: next));
        var again = await client.ProbeAsync(token);

        AuthHttp.ProbeAccepted(rotated);
        AuthHttp.ProbeAccepted(again);
        Assert.Equal(2, endpoint.Requests);
        Assert.Equal(2L, keySet.Generation);
        Assert.True(replaced.IsCancellationRequested);
        // The rotated key's token, then the cached token checked anew against the new set.
        Assert.Equal(2, counters.SignatureChecks);
        Assert.Equal(0, counters.CacheHits);
    }

    private static JsonObject Claims()
    {
        var claims = TestKeys.Claims([AuthHttp.ProbePermission]);
        claims["jti"] = Guid.NewGuid().ToString("N");
        return claims;
    }
}
