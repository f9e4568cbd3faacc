using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Auth;

/// <summary>
/// A JWKS URL that fails or is slow, against a gateway that re-reads its keys at most once an hour
/// (<see cref="KeySourceGateway"/>), over real HTTP with real tokens. Until the key set has loaded once,
/// tokens are answered 503 to retry, not 403; a failed load is tried again after a second, not after the
/// interval; and a client that hangs up does not stop the load its token started. Each test has a
/// gateway of its own: what they check is its first load.
/// </summary>
public sealed class KeySourceOutageTests
{
    /// <summary>The wait (docs/api.md, "Key sets") after a failed load before the next may start.</summary>
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task FirstLoad_JwksUrlDown_Answers503UntilItLoadsAfterTheBackoff()
    {
        await using var gateway = await KeySourceGateway.StartAsync();
        var (client, keys, endpoint) = (gateway.Client, gateway.Keys, gateway.Endpoint);
        endpoint.FailWith((int)HttpStatusCode.ServiceUnavailable);
        var token = keys.Es256(Claims());

        var down = await client.ProbeAsync(token);
        var again = await client.ProbeAsync(token);
        var ops = await client.SendAuthAsync(HttpMethod.Get, "/ops/v1/webhooks", "Bearer " + keys.Es256(TestKeys.Claims(["ops:*"])));
        endpoint.Recover();
        var withinBackoff = await client.ProbeAsync(token);
        var fetchesBeforeTheBackoff = endpoint.Requests;
        gateway.Time.Advance(Backoff);
        var afterBackoff = await client.ProbeAsync(token);

        Unavailable(down);
        Unavailable(again);
        Unavailable(withinBackoff);
        Assert.True(ops.Status == HttpStatusCode.ServiceUnavailable, $"GET /ops/v1/webhooks answered {ops}");
        Assert.Equal("application/problem+json", ops.ContentHeaders.ContentType?.MediaType);
        Assert.Equal("service_unavailable", ops.BodyObject["title"]!.GetValue<string>());
        Assert.Equal(1, fetchesBeforeTheBackoff);
        AuthHttp.ProbeAccepted(afterBackoff);
        Assert.Equal(2, endpoint.Requests);
    }

    [Fact]
    public async Task Reload_JwksUrlDown_KeepsTheKeysAndTriesAgainAfterTheBackoff()
    {
        await using var gateway = await KeySourceGateway.StartAsync();
        var (client, keys, endpoint) = (gateway.Client, gateway.Keys, gateway.Endpoint);
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = await RotateAfterTheIntervalAsync(gateway, next);
        endpoint.FailWith((int)HttpStatusCode.ServiceUnavailable);

        var whileDown = await client.ProbeAsync(token);
        var known = await client.ProbeAsync(keys.Rs256(Claims()));
        endpoint.Recover();
        var withinBackoff = await client.ProbeAsync(token);
        var fetchesBeforeTheBackoff = endpoint.Requests;
        gateway.Time.Advance(Backoff);
        var afterBackoff = await client.ProbeAsync(token);
        var withinTheInterval = await client.ProbeAsync(keys.Es256(Claims(), keyId: "unknown-" + Guid.NewGuid().ToString("N"), key: keys.Stranger));

        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, whileDown);
        AuthHttp.ProbeAccepted(known);
        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, withinBackoff);
        Assert.Equal(2, fetchesBeforeTheBackoff);
        AuthHttp.ProbeAccepted(afterBackoff);
        // The interval counts from that successful load: an unknown kid now reads nothing.
        AuthHttp.Rejected("auth_invalid_key_id", AuthHttp.InvalidKeyId, withinTheInterval);
        Assert.Equal(3, endpoint.Requests);
    }

    [Fact]
    public async Task Reload_ClientHangsUpWhileItRuns_StillLoadsTheRotatedKey()
    {
        await using var gateway = await KeySourceGateway.StartAsync();
        var (client, keys, endpoint) = (gateway.Client, gateway.Keys, gateway.Endpoint);
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = await RotateAfterTheIntervalAsync(gateway, next);
        endpoint.Hold();

        // A token with a made-up kid, and the connection dropped as soon as the gateway is fetching the keys.
        using var impatient = new HttpClient { BaseAddress = client.BaseAddress };
        using var hangUp = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(AuthHttp.ProbePath, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", keys.Es256(Claims(), keyId: "random-" + Guid.NewGuid().ToString("N"), key: keys.Stranger));
        var sending = impatient.SendAsync(request, hangUp.Token);
        await endpoint.WaitForRequestsAsync(2);
        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        await gateway.WaitUntilIdleAsync();
        endpoint.Release();
        var rotated = await client.ProbeAsync(token);

        AuthHttp.ProbeAccepted(rotated);
        Assert.Equal(2, endpoint.Requests);
        Assert.Equal(0, endpoint.Abandoned);
    }

    /// <summary>
    /// Load the key set (a token accepted), publish <paramref name="next"/> under a new kid, and move the key
    /// set's clock past the refresh interval; returns a token signed with the new key.
    /// </summary>
    private static async Task<string> RotateAfterTheIntervalAsync(KeySourceGateway gateway, ECDsa next)
    {
        AuthHttp.ProbeAccepted(await gateway.Client.ProbeAsync(gateway.Keys.Es256(Claims())));
        var kid = gateway.Keys.Rotate(next, "rotated-" + Guid.NewGuid().ToString("N"));
        gateway.Time.Advance(TimeSpan.FromSeconds(KeySourceGateway.RefreshIntervalSeconds));
        return gateway.Keys.Es256(Claims(), keyId: kid, key: next);
    }

    /// <summary>The RallyHere surface's 503: retry after a second, the token was not judged.</summary>
    private static void Unavailable(ApiResponse actual)
    {
        JsonAssert.Error(HttpStatusCode.ServiceUnavailable, "service_unavailable", "The service is temporarily unavailable; retry later.", actual);
        Assert.Equal(TimeSpan.FromSeconds(1), actual.Headers.RetryAfter?.Delta);
    }

    private static JsonObject Claims() => TestKeys.Claims([AuthHttp.ProbePermission]);
}
