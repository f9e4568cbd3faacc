using System.Net;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.PlayFab;

/// <summary>A collections URL where nothing listens: XboxInaccessible after the bounded retries.</summary>
public sealed class PlayFabXboxUnreachableTests(PlayFabXboxUnreachableTests.UnreachableFixture fixture) : IClassFixture<PlayFabXboxUnreachableTests.UnreachableFixture>
{
    [Fact]
    public async Task ConsumeXboxEntitlements_CollectionsServiceUnreachable_IsXboxInaccessible()
    {
        var xuid = await fixture.Simulator.CreateUserAsync();
        var token = await fixture.Simulator.TokenAsync(xuid);
        var (ticket, _) = await fixture.Client.LoginOkAsync(token);

        var response = await fixture.Client.ConsumeXboxAsync(ticket, token);

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "XboxInaccessible", 1339);
    }

    public sealed class UnreachableFixture : XboxGatewayFixture
    {
        protected override void ConfigureXbox(IDictionary<string, string?> settings) =>
            settings["Xbox:CollectionsUrl"] = $"http://127.0.0.1:{FreePorts.Next()}/";
    }
}
