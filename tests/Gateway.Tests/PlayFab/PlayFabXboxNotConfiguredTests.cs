using System.Net;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.PlayFab;

/// <summary>The embedded default with nothing configured for Xbox refuses Xbox cleanly, never with a 500.</summary>
public sealed class PlayFabXboxNotConfiguredTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task LoginWithXbox_XboxNotConfigured_IsProductDisabledForTitle()
    {
        var response = await fixture.Client.LoginAsync("XBL3.0 x=123;abc.def.ghi.jkl.mno");

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "ProductDisabledForTitle", 1609);
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_NoTicket_IsNotAuthenticated()
    {
        var response = await fixture.Client.ConsumeXboxAsync(null, "XBL3.0 x=123;abc");

        PlayFabHttp.AssertError(response, HttpStatusCode.Unauthorized, "NotAuthenticated", 1074);
    }
}
