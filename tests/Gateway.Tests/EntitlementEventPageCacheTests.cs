using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.RallyHere;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests;

/// <summary>
/// <c>GET /inventory/v1/entitlement-event</c> pages that can no longer change are answered from
/// <see cref="EntitlementEventPageCache"/>; the last page of a listing never is.
/// </summary>
public sealed class EntitlementEventPageCacheTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _client = fixture.Client;

    private EntitlementEventPageCache Cache => fixture.App.Services.GetRequiredService<EntitlementEventPageCache>();

    [Fact]
    public async Task List_FullPageOfAPlayer_IsKeptAndAnsweredWithTheSameBytesAfterNewerEvents()
    {
        var player = await _client.CreatePlayerAsync();
        var posted = await PostGrantsAsync(player, 3);

        var first = await GetBytesAsync($"?player_uuid={player.Uuid}&limit=2");
        await PostGrantsAsync(player, 2);
        var again = await GetBytesAsync($"?player_uuid={player.Uuid}&limit=2");

        Assert.Equal(first, Cache.Find(new EntitlementEventPageKey(player.Uuid, null, null, 2))?.Json);
        Assert.Equal(first, again);
        var page = JsonNode.Parse(again)!.AsObject();
        JsonAssert.Equal(new JsonArray(posted[0].DeepClone(), posted[1].DeepClone()), page["events"]);
        Assert.False(string.IsNullOrEmpty(page["cursor"]?.GetValue<string>()));
    }

    [Fact]
    public async Task List_LastPage_IsNotKeptAndShowsEventsAddedLater()
    {
        var player = await _client.CreatePlayerAsync();
        var posted = await PostGrantsAsync(player, 2);

        var before = await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}&limit=3");
        posted.AddRange(await PostGrantsAsync(player, 1));
        var after = await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}&limit=3");

        Assert.Null(Cache.Find(new EntitlementEventPageKey(player.Uuid, null, null, 3)));
        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray(posted[0].DeepClone(), posted[1].DeepClone()), ["cursor"] = null }, before);
        JsonAssert.Equal(new JsonObject { ["events"] = new JsonArray([.. posted.Select(p => p.DeepClone())]), ["cursor"] = null }, after);
    }

    [Fact]
    public async Task List_FullPagesAfterACursorAndByPlayerId_AreKeptUnderTheirOwnKeys()
    {
        var player = await _client.CreatePlayerAsync();
        var posted = await PostGrantsAsync(player, 5);
        var cursor = (await _client.ListEventsOkAsync($"?player_uuid={player.Uuid}&limit=2"))["cursor"]!.GetValue<string>();

        var second = await GetBytesAsync($"?player_uuid={player.Uuid}&limit=2&cursor={cursor}");
        var byId = await GetBytesAsync($"?player_id={player.Id}&limit=2&cursor={cursor}");

        Assert.Equal(second, Cache.Find(new EntitlementEventPageKey(player.Uuid, null, cursor, 2))?.Json);
        Assert.Equal(byId, Cache.Find(new EntitlementEventPageKey(null, player.Id, cursor, 2))?.Json);
        JsonAssert.Equal(new JsonArray(posted[2].DeepClone(), posted[3].DeepClone()), JsonNode.Parse(second)!["events"]);
        Assert.Equal(second, byId);
    }

    [Fact]
    public async Task List_KeptPage_IsStillRefusedToPlayerTokens()
    {
        var owner = await _client.CreatePlayerAsync();
        var stranger = await _client.CreatePlayerAsync();
        await PostGrantsAsync(owner, 2);
        var query = $"?player_uuid={owner.Uuid}&limit=1";
        var kept = await GetBytesAsync(query);
        Assert.Equal(kept, Cache.Find(new EntitlementEventPageKey(owner.Uuid, null, null, 1))?.Json);

        var issuer = fixture.App.Services.GetRequiredService<DevelopmentIssuer>();
        var asOwner = await GetAsAsync(issuer.Mint([], owner.Uuid, TimeSpan.FromMinutes(5)), query);
        var asStranger = await GetAsAsync(issuer.Mint([], stranger.Uuid, TimeSpan.FromMinutes(5)), query);

        Assert.Equal(HttpStatusCode.Forbidden, asOwner.Status);
        Assert.Equal("insufficient_permissions", asOwner.BodyObject["error_code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, asStranger.Status);
        Assert.Equal("insufficient_permissions", asStranger.BodyObject["error_code"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_InvalidCursor_IsRefusedAndNothingIsKept()
    {
        var player = await _client.CreatePlayerAsync();
        await PostGrantsAsync(player, 3);

        var response = await _client.GetApiAsync($"{GatewayHttp.EventsPath}?player_uuid={player.Uuid}&limit=1&cursor=not-a-cursor");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Null(Cache.Find(new EntitlementEventPageKey(player.Uuid, null, "not-a-cursor", 1)));
    }

    [Fact]
    public async Task List_Answer_IsJsonWithItsLength()
    {
        var player = await _client.CreatePlayerAsync();
        await PostGrantsAsync(player, 2);

        using var first = await _client.GetAsync(new Uri($"{GatewayHttp.EventsPath}?player_uuid={player.Uuid}&limit=1", UriKind.Relative));
        using var kept = await _client.GetAsync(new Uri($"{GatewayHttp.EventsPath}?player_uuid={player.Uuid}&limit=1", UriKind.Relative));

        foreach (var response in new[] { first, kept })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal((await response.Content.ReadAsByteArrayAsync()).Length, response.Content.Headers.ContentLength);
        }
    }

    [Fact]
    public void Cache_Budget_BoundsWhatItKeeps()
    {
        using var cache = new EntitlementEventPageCache(Options.Create(new EntitlementEventPageCacheOptions { PageCacheMegabytes = 1 }));
        var keys = Enumerable.Range(0, 6).Select(i => new EntitlementEventPageKey(Guid.NewGuid(), null, null, 100)).ToList();
        var tooLarge = new EntitlementEventPageKey(Guid.NewGuid(), null, null, 100);

        cache.Add(keys[0], Uncompressed(400 * 1024));
        var keptFirst = cache.Find(keys[0]);
        foreach (var key in keys.Skip(1))
        {
            cache.Add(key, Uncompressed(400 * 1024));
        }

        cache.Add(tooLarge, Uncompressed((1024 * 1024) + 1));

        Assert.True(cache.Enabled);
        Assert.Equal(400 * 1024, keptFirst?.Size);
        Assert.InRange(keys.Sum(k => cache.Find(k)?.Size ?? 0), 0, 1024 * 1024);
        Assert.Null(cache.Find(tooLarge));
    }

    [Fact]
    public void Cache_ZeroMegabytes_KeepsNothing()
    {
        using var cache = new EntitlementEventPageCache(Options.Create(new EntitlementEventPageCacheOptions { PageCacheMegabytes = 0 }));
        var key = new EntitlementEventPageKey(Guid.NewGuid(), null, "c", 100);

        cache.Add(key, Uncompressed(3));

        Assert.False(cache.Enabled);
        Assert.Null(cache.Find(key));
    }

    [Fact]
    public void Cache_KeepsBothForms_AndCountsBothAgainstItsBudget()
    {
        using var cache = new EntitlementEventPageCache(Options.Create(new EntitlementEventPageCacheOptions { PageCacheMegabytes = 1 }));
        var key = new EntitlementEventPageKey(Guid.NewGuid(), null, null, 100);
        var json = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"event_id\":\"e\",\"sku\":\"gems_100\"},", 100)));

        var body = EntitlementEventPageBody.ToKeep(json);
        cache.Add(key, body);

        Assert.Same(body, cache.Find(key));
        Assert.Equal(json, body.Json);
        Assert.Equal(json, Gunzip(body.Gzip!));
        Assert.Equal(json.Length + body.Gzip!.Length, body.Size);
    }

    [Fact]
    public async Task List_ClientThatAcceptsGzip_GetsKeptAndLastPagesCompressed()
    {
        var player = await _client.CreatePlayerAsync();
        await PostGrantsAsync(player, 8);
        var keptQuery = $"?player_uuid={player.Uuid}&limit=5";
        var lastQuery = $"?player_uuid={player.Uuid}&limit=10";
        var keptJson = await GetBytesAsync(keptQuery);
        var lastJson = await GetBytesAsync(lastQuery);
        Assert.NotNull(Cache.Find(new EntitlementEventPageKey(player.Uuid, null, null, 5)));
        Assert.Null(Cache.Find(new EntitlementEventPageKey(player.Uuid, null, null, 10)));

        foreach (var (query, json) in new[] { (keptQuery, keptJson), (lastQuery, lastJson) })
        {
            var (response, bytes) = await GetEncodedAsync(query, "gzip, deflate, br");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
            Assert.Equal(["Accept-Encoding"], response.Headers.Vary);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
            Assert.True(bytes.Length < json.Length / 3, $"{bytes.Length} compressed bytes for {json.Length} of JSON");
            Assert.Equal(json, Gunzip(bytes));
            response.Dispose();
        }
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("gzip", true)]
    [InlineData("GZIP;q=0.5", true)]
    [InlineData("x-gzip", true)]
    [InlineData("br, deflate", false)]
    [InlineData("identity", false)]
    [InlineData("gzip;q=0", false)]
    [InlineData("*", true)]
    [InlineData("*;q=0", false)]
    [InlineData("*, gzip;q=0", false)]
    [InlineData("gzip;q=0, *", false)]
    public async Task List_AcceptEncoding_ChoosesGzipByItsWeights(string? acceptEncoding, bool gzip)
    {
        var player = await _client.CreatePlayerAsync();
        await PostGrantsAsync(player, 6);
        var query = $"?player_uuid={player.Uuid}&limit=5";
        var json = await GetBytesAsync(query);

        var (response, bytes) = await GetEncodedAsync(query, acceptEncoding);

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(gzip ? ["gzip"] : Array.Empty<string>(), response.Content.Headers.ContentEncoding);
            Assert.Equal(["Accept-Encoding"], response.Headers.Vary);
            Assert.Equal(json, gzip ? Gunzip(bytes) : bytes);
        }
    }

    [Fact]
    public async Task List_SmallPage_GoesOutUncompressedEvenWhenGzipIsAccepted()
    {
        var player = await _client.CreatePlayerAsync();
        var query = $"?player_uuid={player.Uuid}";
        var json = await GetBytesAsync(query);

        var (response, bytes) = await GetEncodedAsync(query, "gzip");

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(response.Content.Headers.ContentEncoding);
            Assert.Equal("{\"events\":[],\"cursor\":null}", Encoding.UTF8.GetString(bytes));
            Assert.Equal(json, bytes);
        }
    }

    private static EntitlementEventPageBody Uncompressed(int length) => EntitlementEventPageBody.ForAnswer(new byte[length], acceptsGzip: false);

    private static byte[] Gunzip(byte[] compressed)
    {
        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private async Task<(HttpResponseMessage Response, byte[] Body)> GetEncodedAsync(string query, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(GatewayHttp.EventsPath + query, UriKind.Relative));
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        var response = await _client.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private async Task<byte[]> GetBytesAsync(string query)
    {
        using var response = await _client.GetAsync(new Uri(GatewayHttp.EventsPath + query, UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {query} answered {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        return body;
    }

    private async Task<ApiResponse> GetAsAsync(string token, string query) =>
        await _client.SendAsync(HttpMethod.Get, GatewayHttp.EventsPath + query, configure: request => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token));

    private async Task<List<JsonObject>> PostGrantsAsync(Player player, int count)
    {
        var posted = new List<JsonObject>();
        for (var i = 0; i < count; i++)
        {
            posted.Add(await _client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))));
        }

        return posted;
    }
}
