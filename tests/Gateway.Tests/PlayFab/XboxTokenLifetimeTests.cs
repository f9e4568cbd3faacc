using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// <c>Auth:MaxTokenLifetime</c> holds on the PlayFab surface too: an XboxToken whose <c>exp</c> lies further ahead
/// than it and <c>Xbox:ClockSkewSeconds</c> is refused as <c>InvalidXboxLiveToken</c>. Such tokens were accepted before.
/// </summary>
public sealed class XboxTokenLifetimeTests(XboxTokenLifetimeFixture fixture) : IClassFixture<XboxTokenLifetimeFixture>
{
    /// <summary>366 days and the 30 s skew, in seconds: the furthest ahead an <c>exp</c> may lie.</summary>
    private const int Bound = (366 * 24 * 3600) + 30;

    private readonly HttpClient _client = fixture.Client;
    private readonly SimulatorHost _simulator = fixture.Simulator;

    [Fact]
    public async Task LoginWithXbox_ExpOneSecondInsideTheBound_LogsIn()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid, new JsonObject { ["lifetimeSeconds"] = Bound - 1 });

        var response = await _client.LoginAsync(token);

        Assert.True(response.Status == HttpStatusCode.OK, $"expected 200, got {response}");
        Assert.False(string.IsNullOrEmpty(response.Json["data"]!["SessionTicket"]!.GetValue<string>()));
    }

    [Fact]
    public async Task LoginWithXbox_ExpOneSecondOverTheBound_IsInvalidXboxLiveTokenAndLinksNobody()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid, new JsonObject { ["lifetimeSeconds"] = Bound + 1 });

        var response = await _client.LoginAsync(token);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidXboxLiveToken", 1188);
        Assert.Equal("The Xbox Live token expires further ahead than this title accepts.", response.Json["errorMessage"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetApiAsync($"/users/v1/platform-user?platform=XboxLive&platform_user_id={xuid}")).Status);
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_ExpOneSecondOverTheBound_IsInvalidXboxLiveToken()
    {
        var xuid = await _simulator.CreateUserAsync();
        var (ticket, _) = await _client.LoginOkAsync(await _simulator.TokenAsync(xuid));
        var token = await _simulator.TokenAsync(xuid, new JsonObject { ["lifetimeSeconds"] = Bound + 1 });

        var response = await _client.ConsumeXboxAsync(ticket, token);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidXboxLiveToken", 1188);
        Assert.Equal("The Xbox Live token expires further ahead than this title accepts.", response.Json["errorMessage"]!.GetValue<string>());
    }
}
