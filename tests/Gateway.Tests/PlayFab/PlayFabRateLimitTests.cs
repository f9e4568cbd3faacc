using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Gateway.PlayFab;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// PlayFab's throttling: logins per client address and Xbox consumes per player, over real HTTP, answered
/// <c>APIClientRequestRateLimitExceeded</c> (1199) with <c>Retry-After</c> before anything is done.
/// </summary>
public sealed class PlayFabRateLimitTests(XboxRateLimitFixture fixture) : IClassFixture<XboxRateLimitFixture>
{
    private const string NotAToken = "XBL3.0 x=123;abc.def.ghi.jkl.mno";

    private readonly HttpClient _client = fixture.Client;
    private readonly SimulatorHost _simulator = fixture.Simulator;

    [Fact]
    public async Task LoginWithXbox_OverTheAddressBurst_IsRateLimitedAndCreatesNoAccount()
    {
        using var counted = new RateLimitedCounter(fixture.Gateway);
        var address = NewAddress();
        var known = await _simulator.TokenAsync(await _simulator.CreateUserAsync());
        for (var i = 0; i < XboxRateLimitFixture.LoginBurst; i++)
        {
            var admitted = await LoginFromAsync(address, known);
            Assert.True(admitted.Status == HttpStatusCode.OK, $"login {i + 1} answered {admitted}");
        }

        var newcomer = await _simulator.CreateUserAsync();
        var refused = await LoginFromAsync(address, await _simulator.TokenAsync(newcomer));
        var reportedAsSuccess = await LoginFromAsync(address, known, request => request.Headers.Add(PlayFabResults.ReportErrorAsSuccessHeader, "true"));

        AssertRateLimited(refused, HttpStatusCode.TooManyRequests, "Too many logins from this address");
        AssertRateLimited(reportedAsSuccess, HttpStatusCode.OK, "Too many logins from this address");
        Assert.Equal(2, counted.Logins);
        Assert.Equal(0, counted.Consumes);

        // Another address is not held back by this one's, and the refused login created no account.
        var elsewhere = await LoginFromAsync(NewAddress(), await _simulator.TokenAsync(newcomer), createAccount: false);
        PlayFabHttp.AssertError(elsewhere, HttpStatusCode.BadRequest, "AccountNotFound", 1001);
    }

    [Fact]
    public async Task LoginWithXbox_RefusedTokensCountToo()
    {
        var address = NewAddress();
        for (var i = 0; i < XboxRateLimitFixture.LoginBurst; i++)
        {
            PlayFabHttp.AssertError(await LoginFromAsync(address, NotAToken), HttpStatusCode.BadRequest, "InvalidXboxLiveToken", 1188);
        }

        AssertRateLimited(await LoginFromAsync(address, NotAToken), HttpStatusCode.TooManyRequests, "Too many logins from this address");
    }

    [Fact]
    public async Task LoginWithXbox_AddressesOfOneIpv6Network_ShareOneLimit()
    {
        var site = "2001:db8:" + Random.Shared.Next(0x1000, 0xffff).ToString("x", CultureInfo.InvariantCulture);
        var subnet = Random.Shared.Next(0x1000, 0xfffe);
        var network = $"{site}:{subnet:x}";
        for (var i = 1; i <= XboxRateLimitFixture.LoginBurst; i++)
        {
            PlayFabHttp.AssertError(await LoginFromAsync($"{network}::{i}", NotAToken), HttpStatusCode.BadRequest, "InvalidXboxLiveToken", 1188);
        }

        AssertRateLimited(await LoginFromAsync($"{network}:ffff:ffff:ffff:ffff", NotAToken), HttpStatusCode.TooManyRequests, "Too many logins from this address");
        PlayFabHttp.AssertError(await LoginFromAsync($"{site}:{subnet + 1:x}::1", NotAToken), HttpStatusCode.BadRequest, "InvalidXboxLiveToken", 1188);
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_OverThePlayerBurst_IsRateLimitedAndConsumesNothing()
    {
        using var counted = new RateLimitedCounter(fixture.Gateway);
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Test Gems");
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid);
        var ticket = await LoginOkFromAsync(NewAddress(), token);
        for (var i = 0; i < XboxRateLimitFixture.ConsumeBurst; i++)
        {
            Assert.Empty(await _client.ConsumeXboxOkAsync(ticket, token));
        }

        await _simulator.PutUserAsync(xuid, [SimulatorHost.Item("c1", gems.ProductId, "Consumable", 3)]);
        var refused = await _client.ConsumeXboxAsync(ticket, token);

        AssertRateLimited(refused, HttpStatusCode.TooManyRequests, "Too many Xbox consumes for this player");
        Assert.Equal(3, await _simulator.QuantityAsync(xuid, "c1"));
        var player = await _client.XboxPlayerAsync(xuid);
        Assert.Empty(await _client.AllEventsAsync($"&player_uuid={player}"));
        Assert.Equal(0, counted.Logins);
        Assert.Equal(1, counted.Consumes);

        // Another player's consumes are not held back by this one's.
        var otherToken = await _simulator.TokenAsync(await _simulator.CreateUserAsync());
        Assert.Empty(await _client.ConsumeXboxOkAsync(await LoginOkFromAsync(NewAddress(), otherToken), otherToken));
    }

    [Theory]
    [InlineData("198.51.100.7", "198.51.100.7")]
    [InlineData("::ffff:198.51.100.7", "198.51.100.7")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::", "2001:db8:1:2::/64")]
    [InlineData("::1", "::/64")]
    [InlineData("64:ff9b::198.51.100.7", "198.51.100.7")]
    [InlineData("64:ff9b::c633:6408", "198.51.100.8")]
    [InlineData("64:ff9b:1::c633:6408", "64:ff9b:1::/64")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "192.0.2.45")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd3", "192.0.2.44")]
    [InlineData("2002:c633:6407::1", "198.51.100.7")]
    [InlineData("2002:c633:6407:ffff:1:2:3:4", "198.51.100.7")]
    [InlineData("2001:db8::1", "2001:db8::/64")]
    public void AddressKey_IsTheIpv4AddressOrTheIpv6Network(string address, string key) =>
        Assert.Equal(key, PlayFabRateLimits.AddressKey(IPAddress.Parse(address)));

    [Fact]
    public void AddressKey_NoAddress_IsOneSharedKey() => Assert.Equal(string.Empty, PlayFabRateLimits.AddressKey(null));

    private static string NewAddress() => $"198.51.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}";

    private Task<ApiResponse> LoginFromAsync(string address, string xboxToken, Action<HttpRequestMessage>? configure = null, bool createAccount = true) =>
        _client.SendAsync(
            HttpMethod.Post,
            "/Client/LoginWithXbox" + PlayFabHttp.Sdk,
            new JsonObject { ["TitleId"] = "E2E1", ["XboxToken"] = xboxToken, ["CreateAccount"] = createAccount }.ToJsonString(),
            request =>
            {
                request.Headers.Add("X-Forwarded-For", address);
                configure?.Invoke(request);
            });

    private Task<ApiResponse> LoginFromAsync(string address, string xboxToken, bool createAccount) =>
        LoginFromAsync(address, xboxToken, configure: null, createAccount);

    private async Task<string> LoginOkFromAsync(string address, string xboxToken)
    {
        var response = await LoginFromAsync(address, xboxToken);
        Assert.True(response.Status == HttpStatusCode.OK, $"login answered {response}");
        return response.Json["data"]!["SessionTicket"]!.GetValue<string>();
    }

    /// <summary>
    /// PlayFab's throttling body, whatever the HTTP status it came with (<c>code</c> and <c>status</c> stay
    /// 429's), and <c>Retry-After</c>: whole seconds, at least 1 and at most the fixture's 20 s a token, the
    /// same number as in the message and in <c>retryAfterSeconds</c>, which the SDKs read.
    /// </summary>
    private static void AssertRateLimited(ApiResponse response, HttpStatusCode status, string what)
    {
        Assert.True(response.Status == status, $"expected {(int)status}, got {response}");
        var seconds = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), NumberStyles.None, CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 1, 20);
        Assert.Equal(
            new JsonObject
            {
                ["code"] = 429,
                ["status"] = "TooManyRequests",
                ["error"] = "APIClientRequestRateLimitExceeded",
                ["errorCode"] = 1199,
                ["errorMessage"] = $"{what}; retry after {seconds} s.",
                ["errorDetails"] = null,
                ["retryAfterSeconds"] = seconds,
            }.ToJsonString(),
            response.BodyObject.ToJsonString());
        Assert.True(response.Headers.Contains("X-RequestId"), "no X-RequestId header");
    }

    /// <summary>The gateway's <c>entitlements.playfab.rate_limited</c> counter, by route, from the moment it is made.</summary>
    private sealed class RateLimitedCounter(GatewayFixture gateway) : IDisposable
    {
        private readonly GatewayCounters _counters = new(gateway, PlayFabRateLimits.MeterName, PlayFabRateLimits.RateLimitedName);

        public long Logins => _counters.Sum(PlayFabRateLimits.RateLimitedName, "route", "login");

        public long Consumes => _counters.Sum(PlayFabRateLimits.RateLimitedName, "route", "consume");

        public void Dispose() => _counters.Dispose();
    }
}
