using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Auth;

/// <summary>
/// What a re-read of the key set (a token with an unknown <c>kid</c> once the refresh interval has passed)
/// changes, against a gateway whose keys come from a JWKS URL that counts its fetches
/// (<see cref="KeySourceGateway"/>): the same keys keep the set in use, its cached tokens and its
/// <see cref="SigningKeySet.Replaced"/> token, so that anyone able to send a made-up <c>kid</c> cannot empty
/// the cache or wake every push connection; other keys start a new one. A set that reaches its maximum age
/// (<c>Auth:KeySetMaxAgeSeconds</c>) is read again with no token asking, so that a key removed after a
/// rotation, when every token names a known <c>kid</c>, stops being accepted. Each test has a gateway of its own.
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

    [Fact]
    public async Task MaxAge_KeyRemovedAfterARotation_IsRefusedOnceTheSetIsReadAgain()
    {
        await using var gateway = await KeySourceGateway.StartAsync();
        var (client, keys, endpoint) = (gateway.Client, gateway.Keys, gateway.Endpoint);
        var keySet = gateway.App.Services.GetRequiredService<SigningKeySet>();
        // K1 is the published EC key; K2 joins it, and the first read finds both.
        using var k2 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var k2Kid = keys.Rotate(k2, "k2-" + Guid.NewGuid().ToString("N"));
        AuthHttp.ProbeAccepted(await client.ProbeAsync(keys.Es256(Claims(), keyId: k2Kid, key: k2)));
        var cachedK1 = keys.Es256(Claims());
        AuthHttp.ProbeAccepted(await client.ProbeAsync(cachedK1));

        // The rotation ends: K1 leaves the document. Every token still names a kid the gateway knows.
        keys.PublishWithout(keys.EcKeyId);
        var replaced = keySet.Replaced;
        gateway.Time.Advance(TimeSpan.FromSeconds(KeySourceGateway.KeySetMaxAgeSeconds));
        await endpoint.WaitForRequestsAsync(2);
        await ReplacedAsync(replaced);
        using var counters = new AuthCounters(gateway);

        var cached = await client.ProbeAsync(cachedK1);
        var fresh = await client.ProbeAsync(keys.Es256(Claims()));
        var k2Token = await client.ProbeAsync(keys.Es256(Claims(), keyId: k2Kid, key: k2));

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, cached);
        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, fresh);
        AuthHttp.ProbeAccepted(k2Token);
        Assert.Equal(0, counters.CacheHits);
        // K1 is now an unknown kid, read within the interval: no read of its own.
        Assert.Equal(2, endpoint.Requests);
        Assert.Equal(2L, keySet.Generation);
    }

    [Fact]
    public async Task MaxAge_ReadFails_KeepsTheKeysAndTriesAgainAfterTheInterval()
    {
        await using var gateway = await KeySourceGateway.StartAsync();
        var (client, keys, endpoint) = (gateway.Client, gateway.Keys, gateway.Endpoint);
        var keySet = gateway.App.Services.GetRequiredService<SigningKeySet>();
        AuthHttp.ProbeAccepted(await client.ProbeAsync(keys.Rs256(Claims())));
        endpoint.FailWith((int)HttpStatusCode.ServiceUnavailable);
        keys.PublishWithout(keys.EcKeyId);

        gateway.Time.Advance(TimeSpan.FromSeconds(KeySourceGateway.KeySetMaxAgeSeconds));
        await endpoint.WaitForRequestsAsync(2);
        // A token with an unknown kid waits for a read that is running: once answered, the failed read is over.
        var unknown = await client.ProbeAsync(keys.Es256(Claims(), keyId: "unknown-" + Guid.NewGuid().ToString("N"), key: keys.Stranger));
        var whileDown = await client.ProbeAsync(keys.Es256(Claims()));
        var generationWhileDown = keySet.Generation;
        endpoint.Recover();
        var replaced = keySet.Replaced;
        gateway.Time.Advance(TimeSpan.FromSeconds(KeySourceGateway.RefreshIntervalSeconds));
        await endpoint.WaitForRequestsAsync(3);
        await ReplacedAsync(replaced);
        var afterRetry = await client.ProbeAsync(keys.Es256(Claims()));

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, unknown);
        AuthHttp.ProbeAccepted(whileDown);
        Assert.Equal(1L, generationWhileDown);
        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, afterRetry);
        Assert.Equal(3, endpoint.Requests);
        Assert.Equal(2L, keySet.Generation);
    }

    [Fact]
    public async Task MaxAge_KeyRemovedWhileAPushConnectionIsOpen_ClosesItWithNoOtherRequest()
    {
        await using var gateway = await KeySourceGateway.StartAsync();
        var keys = gateway.Keys;
        var keySet = gateway.App.Services.GetRequiredService<SigningKeySet>();
        using var operatorClient = new HttpClient { BaseAddress = gateway.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        operatorClient.DefaultRequestHeaders.Authorization = new("Bearer", keys.Rs256(TestKeys.Claims(["inv:*", "user:*"])));
        var player = await operatorClient.CreatePlayerAsync();
        await using var socket = await PushSocket.ConnectAsync(
            gateway.Client.BaseAddress!, PushRoutes.PlayerWebSocket(player.Uuid), keys.Es256(TestKeys.Claims([], subject: player.Uuid.ToString())));
        await operatorClient.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var cursor = (await socket.NextNotificationAsync()).Json["cursor"]!.GetValue<string>();

        keys.PublishWithout(keys.EcKeyId);
        var replaced = keySet.Replaced;
        gateway.Time.Advance(TimeSpan.FromSeconds(KeySourceGateway.KeySetMaxAgeSeconds));
        await ReplacedAsync(replaced);
        var (type, _) = await socket.NextNotificationOrCloseAsync();

        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.Socket.CloseStatus);
        Assert.Equal($"token rejected: auth_invalid_key_id; resume with after={cursor}", socket.Socket.CloseStatusDescription);
        Assert.Equal(2, gateway.Endpoint.Requests);
    }

    /// <summary>Wait until <paramref name="replaced"/> (a <see cref="SigningKeySet.Replaced"/> token) is canceled, or fail after 30 seconds.</summary>
    private static async Task ReplacedAsync(CancellationToken replaced)
    {
        // The wait ends early, canceled, when the set is replaced.
        var canceled = await Task.Delay(TimeSpan.FromSeconds(30), replaced).ContinueWith(wait => wait.IsCanceled, TaskScheduler.Default);
        Assert.True(canceled, "the key set was not replaced within 30 seconds");
    }

    private static JsonObject Claims()
    {
        var claims = TestKeys.Claims([AuthHttp.ProbePermission]);
        claims["jti"] = Guid.NewGuid().ToString("N");
        return claims;
    }
}
