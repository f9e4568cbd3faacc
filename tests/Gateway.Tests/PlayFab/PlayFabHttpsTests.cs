using System.Net;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.PlayFab;

/// <summary>The PlayFab routes over HTTPS on loopback (PlayFab's Node SDK accepts only <c>https:</c> URLs).</summary>
public sealed class PlayFabHttpsTests(XboxHttpsFixture fixture) : IClassFixture<XboxHttpsFixture>
{
    [Fact]
    public async Task LoginAndConsume_OverHttpsWithConfiguredCertificate_Succeed()
    {
        Assert.Equal(Uri.UriSchemeHttps, fixture.Client.BaseAddress!.Scheme);
        using var handler = new HttpClientHandler
        {
            // Trust exactly the certificate the fixture configured, nothing else.
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == fixture.Thumbprint,
        };
        using var client = new HttpClient(handler) { BaseAddress = fixture.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = fixture.Client.DefaultRequestHeaders.Authorization;
        var gems = await client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Https Gems");
        var xuid = await fixture.Simulator.CreateUserAsync(SimulatorHost.Item("c", gems.ProductId, "Consumable", 2));
        var token = await fixture.Simulator.TokenAsync(xuid);

        var (ticket, _) = await client.LoginOkAsync(token);
        var items = await client.ConsumeXboxOkAsync(ticket, token);

        Assert.Equal(2, Assert.Single(items)!["UsesIncrementedBy"]!.GetValue<long>());
        var events = await client.ListEventsOkAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetApiAsync(GatewayHttp.EventsPath)).Status);
        Assert.NotEmpty(events["events"]!.AsArray());
    }
}
