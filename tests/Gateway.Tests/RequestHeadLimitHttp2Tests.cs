using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.PlayFab;

namespace Entitlements.Tests;

/// <summary>
/// The request-head bounds over HTTP/2 (HTTPS with ALPN), where the path is a header field of its own: the longest
/// catalog path still reaches its route, and a target over the limit gets the surface's 414.
/// </summary>
public sealed class RequestHeadLimitHttp2Tests(XboxHttpsFixture fixture) : IClassFixture<XboxHttpsFixture>, IDisposable
{
    private readonly HttpClient _client = Http2Client(fixture);

    [Fact]
    public async Task CatalogPath_LongestSkuOfFourByteCharactersOverHttp2_IsAddressable()
    {
        var unique = Unique.Name("sku");
        var sku = unique + string.Concat(Enumerable.Repeat("\U0001F600", 2048 - unique.Length));
        var path = $"/inventory/v1/catalog/entitlement-sku/Steam/{Uri.EscapeDataString(sku)}";
        var entry = new JsonObject { ["loot_entitlement"] = new JsonObject { ["type"] = "durable", ["loot_id"] = 5 }, ["item_id"] = Unique.Name("item"), ["item_name"] = "Item" };

        var put = await _client.SendAsync(HttpMethod.Put, path, entry.ToJsonString(), Http2Only);
        var get = await _client.SendAsync(HttpMethod.Get, path, configure: Http2Only);

        Assert.True(put.Status == HttpStatusCode.OK, $"PUT answered {(int)put.Status}");
        Assert.Equal(sku, put.Json["sku"]!.GetValue<string>());
        JsonAssert.Response(HttpStatusCode.OK, put.Json, get);
    }

    [Fact]
    public async Task Request_TargetOneByteOverTheLimitOverHttp2_Returns414HzApiErrorModel()
    {
        const string Start = "/inventory/v1/entitlement-event?pad=";

        var response = await _client.SendAsync(HttpMethod.Get, Start + new string('a', 32_768 + 1 - Start.Length), configure: Http2Only);

        JsonAssert.Error((HttpStatusCode)414, "request_url_too_long", "The request URL is longer than the gateway takes (32768 bytes).", response);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>HTTP/2 or a failure: never a fallback to HTTP/1.1.</summary>
    private static void Http2Only(HttpRequestMessage request)
    {
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
    }

    /// <summary>A client trusting exactly the fixture's certificate, with its token.</summary>
    private static HttpClient Http2Client(XboxHttpsFixture fixture)
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == fixture.Thumbprint,
        };
        var client = new HttpClient(handler)
        {
            BaseAddress = fixture.Client.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = fixture.Client.DefaultRequestHeaders.Authorization;
        return client;
    }
}
