using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// Request bodies as the Unity SDK sends them by default (<c>CompressApiData</c>): gzip-compressed with
/// <c>Content-Encoding: GZIP</c>. The 256 KiB limit holds for the decompressed JSON.
/// </summary>
public sealed class PlayFabGzipBodyTests(XboxGatewayFixture fixture) : IClassFixture<XboxGatewayFixture>
{
    private const int Limit = 256 * 1024;
    private readonly HttpClient _client = fixture.Client;
    private readonly SimulatorHost _simulator = fixture.Simulator;

    [Fact]
    public async Task LoginAndConsume_GzipBodiesInUpperCase_AreReadAndGrant()
    {
        var gems = await _client.PutXboxCatalogAsync("consumable", Unique.Name("gems"), "Gzip Gems", unitsPerQuantity: 10);
        var xuid = await _simulator.CreateUserAsync(SimulatorHost.Item("c1", gems.ProductId, "Consumable", 3));
        var token = await _simulator.TokenAsync(xuid);

        var login = await PostAsync("/Client/LoginWithXbox", Gzip(new JsonObject { ["TitleId"] = "E2E1", ["XboxToken"] = token, ["CreateAccount"] = true }.ToJsonString()), "GZIP");
        Assert.True(login.Status == HttpStatusCode.OK, $"login answered {login}");
        var ticket = login.Json["data"]!["SessionTicket"]!.GetValue<string>();
        var consume = await PostAsync("/Client/ConsumeXboxEntitlements", Gzip(new JsonObject { ["XboxToken"] = token }.ToJsonString()), "GZIP", ticket);

        Assert.True(consume.Status == HttpStatusCode.OK, $"consume answered {consume}");
        var item = Assert.Single(consume.Json["data"]!["Items"]!.AsArray())!;
        Assert.Equal(gems.ItemId, item["ItemId"]!.GetValue<string>());
        Assert.Equal(30, item["UsesIncrementedBy"]!.GetValue<int>());
        Assert.Equal(0, await _simulator.QuantityAsync(xuid, "c1"));
    }

    [Fact]
    public async Task LoginWithXbox_GzipOfExactlyTheLimit_IsRead()
    {
        var compressed = Gzip(PaddedLogin(Limit));

        var response = await PostAsync("/Client/LoginWithXbox", compressed, "gzip");

        // Read to the end: the padded login's token is not a real one.
        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidXboxLiveToken", 1188);
    }

    [Fact]
    public async Task LoginWithXbox_SmallGzipThatExpandsPastTheLimit_IsInvalidParams()
    {
        var compressed = Gzip(PaddedLogin(Limit + 1));
        Assert.True(compressed.Length < 4096, "the padding compresses to a few KiB");

        var response = await PostAsync("/Client/LoginWithXbox", compressed, "gzip");

        JsonAssert.Response(HttpStatusCode.BadRequest, Invalid("The request body is too large."), response);
    }

    [Fact]
    public async Task ConsumeXboxEntitlements_CorruptGzip_IsInvalidParams()
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid);
        var (ticket, _) = await _client.LoginOkAsync(token);
        var corrupt = Gzip(new JsonObject { ["XboxToken"] = token }.ToJsonString());
        corrupt.AsSpan(10, 16).Fill(0xFF);

        var response = await PostAsync("/Client/ConsumeXboxEntitlements", corrupt, "gzip", ticket);

        JsonAssert.Response(HttpStatusCode.BadRequest, Invalid("The request body is not valid gzip."), response);
        Assert.True(response.Headers.Contains("X-RequestId"));
    }

    /// <summary>
    /// An empty input is no gzip (gunzip refuses it): with <c>Content-Encoding: gzip</c> an empty body is the
    /// corrupt gzip answer on either route, while an empty body sent as it is still reads as <c>{}</c>.
    /// </summary>
    [Theory]
    [InlineData("/Client/LoginWithXbox")]
    [InlineData("/Client/ConsumeXboxEntitlements")]
    public async Task Route_EmptyGzipBody_IsInvalidParams(string path)
    {
        var token = await _simulator.TokenAsync(await _simulator.CreateUserAsync());
        var (ticket, _) = await _client.LoginOkAsync(token);

        var gzip = await PostAsync(path, [], "gzip", ticket);
        var identity = await PostAsync(path, [], "identity", ticket);
        var emptyObject = await PostAsync(path, "{}"u8.ToArray(), "identity", ticket);

        JsonAssert.Response(HttpStatusCode.BadRequest, Invalid("The request body is not valid gzip."), gzip);
        Assert.Equal(HttpStatusCode.BadRequest, emptyObject.Status);
        Assert.Equal(emptyObject.ToString(), identity.ToString());
    }

    [Theory]
    [InlineData("trailer missing")]
    [InlineData("trailer cut")]
    [InlineData("data cut")]
    [InlineData("wrong CRC-32")]
    [InlineData("wrong length")]
    [InlineData("bytes after the member")]
    [InlineData("zeros after the member")]
    [InlineData("a second member's start")]
    [InlineData("a second member without its trailer")]
    public async Task LoginWithXbox_GzipThatIsNotWholeMembers_IsInvalidParams(string fault)
    {
        var json = PaddedLogin(100);
        var whole = Gzip(json);
        byte[] body = fault switch
        {
            "trailer missing" => whole[..^8],
            "trailer cut" => whole[..^3],
            "data cut" => whole[..(whole.Length / 2)],
            "wrong CRC-32" => [.. whole[..^8], (byte)(whole[^8] ^ 1), .. whole[^7..]],
            "wrong length" => [.. whole[..^4], (byte)(whole[^4] + 1), .. whole[^3..]],
            "bytes after the member" => [.. whole, .. "{}"u8],
            "zeros after the member" => [.. whole, 0, 0, 0, 0],
            "a second member's start" => [.. whole, 0x1F, 0x8B],
            _ => [.. Gzip(json[..50]), .. Gzip(json[50..])[..^8]],
        };

        var response = await PostAsync("/Client/LoginWithXbox", body, "gzip");

        JsonAssert.Response(HttpStatusCode.BadRequest, Invalid("The request body is not valid gzip."), response);
    }

    [Fact]
    public async Task LoginWithXbox_GzipOfTwoMembers_IsReadAsOneBody()
    {
        var json = PaddedLogin(100);
        byte[] body = [.. Gzip(json[..50]), .. Gzip(json[50..])];

        var response = await PostAsync("/Client/LoginWithXbox", body, "gzip");

        // Read to the end, as gunzip reads it: the login's token is not a real one.
        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "InvalidXboxLiveToken", 1188);
    }

    [Fact]
    public async Task LoginWithXbox_UnsupportedContentEncoding_IsInvalidParams()
    {
        var response = await PostAsync("/Client/LoginWithXbox", Encoding.UTF8.GetBytes(PaddedLogin(100)), "br");

        JsonAssert.Response(
            HttpStatusCode.BadRequest,
            Invalid("The request body's Content-Encoding is not supported: send it as it is or gzip-compressed."),
            response);
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("gzip")]
    public async Task LoginWithXbox_BodyStartingWithAUtf8ByteOrderMark_IsRead(string encoding)
    {
        var xuid = await _simulator.CreateUserAsync();
        var token = await _simulator.TokenAsync(xuid);
        var json = new JsonObject { ["TitleId"] = "E2E1", ["XboxToken"] = token, ["CreateAccount"] = true }.ToJsonString();
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(json)];

        var login = await PostAsync("/Client/LoginWithXbox", encoding == "gzip" ? Gzip(body) : body, encoding);

        Assert.True(login.Status == HttpStatusCode.OK, $"login answered {login}");
        Assert.False(string.IsNullOrEmpty(login.Json["data"]!["SessionTicket"]!.GetValue<string>()));
    }

    private static JsonObject Invalid(string message) => new()
    {
        ["code"] = 400,
        ["status"] = "BadRequest",
        ["error"] = "InvalidParams",
        ["errorCode"] = 1000,
        ["errorMessage"] = "Invalid input parameters",
        ["errorDetails"] = new JsonObject { ["body"] = new JsonArray(message) },
    };

    private Task<ApiResponse> PostAsync(string path, byte[] body, string encoding, string? ticket = null) =>
        _client.SendAsync(HttpMethod.Post, path + PlayFabHttp.Sdk, configure: request =>
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Content.Headers.ContentEncoding.Add(encoding);
            if (ticket is not null)
            {
                request.Headers.Add("X-Authorization", ticket);
            }
        });

    private static byte[] Gzip(string json) => Gzip(Encoding.UTF8.GetBytes(json));

    private static byte[] Gzip(byte[] body)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(body);
        }

        return output.ToArray();
    }

    /// <summary>A LoginWithXbox body of exactly <paramref name="bytes"/> bytes, padded by an extra field.</summary>
    private static string PaddedLogin(int bytes)
    {
        var start = "{\"TitleId\":\"E2E1\",\"XboxToken\":\"XBL3.0 x=1;a.b.c.d.e\",\"Padding\":\"";
        var end = "\"}";
        return start + new string('x', bytes - start.Length - end.Length) + end;
    }
}
