using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests;

/// <summary>
/// The bounds on a request's head (docs/api.md): a request target over 32,768 bytes is a 414, headers over 32,768
/// bytes or 100 lines a 431, each in the shape of the surface the path belongs to and followed over HTTP/1.1 by the
/// connection's end, and the longest valid route parameters fit. Past Kestrel's own limits (twice those) and for a
/// head that is not HTTP, Kestrel answers alone.
/// </summary>
public sealed class RequestHeadLimitTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const int MaxTargetBytes = 32_768;
    private const int MaxHeaderBytes = 32_768;
    private const int MaxHeaderCount = 100;
    private const string Emoji = "\U0001F600";
    private const string TooLongDesc = "The request URL is longer than the gateway takes (32768 bytes).";
    private const string TooLargeDesc = "The request headers are larger than the gateway takes (32768 bytes, 100 headers).";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>A route of each surface: method, the start of its target (a query to pad), and its error shape.</summary>
    public static TheoryData<string, string, string> Surfaces => new()
    {
        { "GET", "/inventory/v1/entitlement-event?pad=", "rallyhere" },
        { "GET", "/inventory/v1/catalog/entitlement-sku/Steam/gems_100?pad=", "rallyhere" },
        { "GET", "/dashboard/?pad=", "rallyhere" },
        { "GET", "/health/live?pad=", "rallyhere" },
        { "GET", "/ops/v1/webhooks?pad=", "ops" },
        { "POST", "/Client/LoginWithXbox?sdk=", "playfab" },
        { "POST", "/client/ConsumeXboxEntitlements?sdk=", "playfab" },
    };

    /// <summary>Heads Kestrel refuses before any middleware runs, and its answer: the status with an empty body.</summary>
    public static TheoryData<string, int> KestrelRefusals => new()
    {
        { "target past Kestrel's line limit", 414 },
        { "headers past Kestrel's total", 431 },
        { "more header lines than Kestrel's count", 431 },
        { "NUL in the path", 400 },
        { "header value not UTF-8", 400 },
    };

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task Request_TargetOneByteOverTheLimit_Returns414InItsSurfaceShape(string method, string start, string surface)
    {
        var response = await SendAsync(method, Padded(start, MaxTargetBytes + 1), ["Host: localhost"]);

        AssertRefusal(surface, 414, "request_url_too_long", TooLongDesc, response);
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task Request_HeadersOneByteOverTheLimit_Returns431InItsSurfaceShape(string method, string start, string surface)
    {
        var response = await SendAsync(method, start, Headers(["Host: localhost"], MaxHeaderBytes + 1, 2));

        AssertRefusal(surface, 431, "request_headers_too_large", TooLargeDesc, response);
    }

    [Theory]
    [MemberData(nameof(Surfaces))]
    public async Task Request_OneHeaderLineOverTheLimit_Returns431InItsSurfaceShape(string method, string start, string surface)
    {
        var response = await SendAsync(method, start, Headers(["Host: localhost"], 2000, MaxHeaderCount + 1));

        AssertRefusal(surface, 431, "request_headers_too_large", TooLargeDesc, response);
    }

    [Fact]
    public async Task PlayFab_RefusalAskedAsSuccess_Returns200WithTheErrorBody()
    {
        var response = await SendAsync("POST", "/Client/LoginWithXbox?sdk=", Headers(["Host: localhost", "X-ReportErrorAsSuccess: true"], MaxHeaderBytes + 1, 3));

        Assert.True(response.Status == 200, $"answered {response.Status} {response.Body}");
        Assert.Equal("close", response.Headers.GetValueOrDefault("Connection"));
        JsonAssert.Equal(PlayFabError(431, "RequestHeaderFieldsTooLarge", TooLargeDesc), response.Body);
    }

    [Theory]
    [InlineData(414)]
    [InlineData(431)]
    public async Task Request_HeadOverTheLimit_IsAnsweredWithConnectionCloseAndTheConnectionCloses(int status)
    {
        var raw = status == 414
            ? Raw("GET", Padded("/health/live?pad=", MaxTargetBytes + 1), ["Host: localhost"])
            : Raw("GET", "/health/live", Headers(["Host: localhost"], MaxHeaderBytes + 1, 2));
        using var deadline = new CancellationTokenSource(Deadline);
        using var tcp = await RawHttp.SendAsync(fixture.Client.BaseAddress!, string.Empty, raw, deadline.Token);
        var stream = tcp.GetStream();

        var (answered, headers, _) = await RawHttp.ReadResponseWithHeadersAsync(stream, deadline.Token);

        Assert.Equal((status, "close"), (answered, headers.GetValueOrDefault("Connection")));
        Assert.Equal(0, await stream.ReadAsync(new byte[1], deadline.Token));
    }

    [Fact]
    public async Task Request_WithinTheLimits_KeepsTheConnectionForTheNextRequest()
    {
        var raw = Raw("GET", "/health/live", ["Host: localhost"]);
        using var deadline = new CancellationTokenSource(Deadline);
        using var tcp = await RawHttp.SendAsync(fixture.Client.BaseAddress!, string.Empty, raw, deadline.Token);
        var stream = tcp.GetStream();

        var (first, headers, _) = await RawHttp.ReadResponseWithHeadersAsync(stream, deadline.Token);
        await stream.WriteAsync(raw, deadline.Token);
        var (second, _) = await RawHttp.ReadResponseAsync(stream, deadline.Token);

        Assert.Equal((200, null, 200), (first, headers.GetValueOrDefault("Connection"), second));
    }

    [Fact]
    public async Task Request_TargetAndHeadersOfExactlyTheLimits_AreAnsweredByTheRoute()
    {
        var target = Padded($"/users/v1/platform-user?platform=Steam&platform_user_id={Unique.Name("nobody")}&pad=", MaxTargetBytes);
        var headers = Headers(["Host: localhost", $"Authorization: {fixture.Client.DefaultRequestHeaders.Authorization}"], MaxHeaderBytes, MaxHeaderCount);

        var response = await SendAsync("GET", target, headers);

        Assert.Equal((MaxTargetBytes, MaxHeaderBytes, MaxHeaderCount), (target.Length, headers.Sum(line => line.Length + 2), headers.Count));
        Assert.True(response.Status == 404, $"answered {response.Status} {response.Body}");
        JsonAssert.Equal(HzApiError("user_not_found", "User not found"), response.Body);
    }

    [Fact]
    public async Task CatalogPath_LongestSkuOfFourByteCharacters_IsAddressable()
    {
        var unique = Unique.Name("sku");
        var sku = unique + Repeat(Emoji, 2048 - unique.Length);
        var path = $"/inventory/v1/catalog/entitlement-sku/Steam/{Uri.EscapeDataString(sku)}";
        var entry = new JsonObject { ["loot_entitlement"] = new JsonObject { ["type"] = "durable", ["loot_id"] = 5 }, ["item_id"] = Unique.Name("item"), ["item_name"] = "Item" };

        var put = await fixture.Client.SendAsync(HttpMethod.Put, path, entry.ToJsonString());
        var get = await fixture.Client.GetApiAsync(path);

        Assert.True(path.Length > 24_000, $"the path is {path.Length} bytes");
        Assert.True(put.Status == HttpStatusCode.OK, $"PUT answered {(int)put.Status}");
        Assert.Equal(sku, put.Json["sku"]!.GetValue<string>());
        JsonAssert.Response(HttpStatusCode.OK, put.Json, get);
    }

    [Fact]
    public async Task PlatformUserPut_LongestValidQuery_IsAnswered()
    {
        var unique = Unique.Name("user");
        var platformUserId = unique + Repeat(Emoji, 2048 - unique.Length);
        var displayName = Repeat(Emoji, 256);
        var player = Guid.NewGuid();
        var target = "/users/v1/platform-user?platform=NintendoSwitch"
            + $"&platform_user_id={Uri.EscapeDataString(platformUserId)}&display_name={Uri.EscapeDataString(displayName)}&player_uuid={player}";

        var response = await fixture.Client.SendAsync(HttpMethod.Put, target);

        Assert.True(target.Length > 27_000, $"the target is {target.Length} bytes");
        var playerId = response.Json["player_id"]!.GetValue<long>();
        JsonAssert.Response(
            HttpStatusCode.Created,
            new JsonObject
            {
                ["platform"] = "NintendoSwitch",
                ["platform_user_id"] = platformUserId,
                ["display_name"] = displayName,
                ["player_id"] = playerId,
                ["player_uuid"] = player.ToString(),
                ["person_id"] = player.ToString(),
                ["active_player_id"] = playerId,
                ["active_player_uuid"] = player.ToString(),
            },
            response);
    }

    [Theory]
    [MemberData(nameof(KestrelRefusals))]
    public async Task Request_KestrelRefusesItsHead_AnswersItsStatusWithAnEmptyBody(string head, int status)
    {
        byte[] raw = head switch
        {
            "target past Kestrel's line limit" => Raw("GET", Padded("/health/live?pad=", 2 * MaxTargetBytes), ["Host: localhost"]),
            "headers past Kestrel's total" => Raw("GET", "/health/live", Headers(["Host: localhost"], (2 * MaxHeaderBytes) + 1, 2)),
            "more header lines than Kestrel's count" => Raw("GET", "/health/live", Headers(["Host: localhost"], 5000, (2 * MaxHeaderCount) + 1)),
            "NUL in the path" => [.. "GET /health/"u8, 0, .. "live HTTP/1.1\r\nHost: localhost\r\n\r\n"u8],
            _ => [.. "GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Name: "u8, 0xFF, .. "\r\n\r\n"u8],
        };

        var response = await SendRawAsync(raw);

        Assert.Equal((status, "0", string.Empty), (response.Status, response.Headers["Content-Length"], response.Body));
    }

    private static void AssertRefusal(string surface, int status, string code, string desc, Answer response)
    {
        Assert.True(response.Status == status, $"answered {response.Status} {response.Body}");
        Assert.Equal("close", response.Headers.GetValueOrDefault("Connection"));
        switch (surface)
        {
            case "playfab":
                Assert.Equal("application/json; charset=utf-8", response.Headers["Content-Type"]);
                Assert.True(Guid.TryParse(response.Headers["X-RequestId"], out _), "an X-RequestId");
                JsonAssert.Equal(PlayFabError(status, status == 414 ? "RequestUriTooLong" : "RequestHeaderFieldsTooLarge", desc), response.Body);
                break;
            case "ops":
                Assert.Equal("application/problem+json", response.Headers["Content-Type"]);
                var problem = new JsonObject { ["title"] = code, ["status"] = status, ["detail"] = desc };
                if (status == 414)
                {
                    // ASP.NET Core names a type for the statuses RFC 9110 defines; 431 is RFC 6585's.
                    problem["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.15";
                }

                JsonAssert.Equal(problem, response.Body);
                break;
            default:
                Assert.Equal("application/json; charset=utf-8", response.Headers["Content-Type"]);
                JsonAssert.Equal(HzApiError(code, desc), response.Body);
                break;
        }
    }

    private static JsonObject HzApiError(string code, string desc) => new() { ["auth_success"] = true, ["error_code"] = code, ["desc"] = desc };

    private static JsonObject PlayFabError(int code, string status, string message) => new()
    {
        ["code"] = code,
        ["status"] = status,
        ["error"] = "InvalidParams",
        ["errorCode"] = 1000,
        ["errorMessage"] = message,
        ["errorDetails"] = null,
    };

    /// <summary><paramref name="start"/> followed by as many <c>a</c>s as make it <paramref name="bytes"/> long.</summary>
    private static string Padded(string start, int bytes) => start + new string('a', bytes - start.Length);

    /// <summary>
    /// <paramref name="lines"/> and more <c>X-Pad-n</c> lines to make <paramref name="count"/> of them, the last padded so
    /// that all of them, each counted as its text and a CRLF, come to <paramref name="bytes"/>.
    /// </summary>
    private static List<string> Headers(IEnumerable<string> lines, int bytes, int count)
    {
        var headers = lines.ToList();
        while (headers.Count < count - 1)
        {
            headers.Add($"X-Pad-{headers.Count}: a");
        }

        var last = $"X-Pad-{headers.Count}: ";
        headers.Add(last + new string('a', bytes - headers.Sum(line => line.Length + 2) - last.Length - 2));
        return headers;
    }

    private static string Repeat(string text, int times) => string.Concat(Enumerable.Repeat(text, times));

    private static byte[] Raw(string method, string target, IEnumerable<string> headers)
    {
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\n");
        foreach (var line in headers)
        {
            head.Append(line).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(head.Append("\r\n").ToString());
    }

    /// <summary>The request written by hand: the request line, <paramref name="headers"/> and nothing else (a POST's body is then empty).</summary>
    private Task<Answer> SendAsync(string method, string target, List<string> headers) => SendRawAsync(Raw(method, target, headers));

    private async Task<Answer> SendRawAsync(byte[] raw)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        using var tcp = await RawHttp.SendAsync(fixture.Client.BaseAddress!, string.Empty, raw, deadline.Token);
        var (status, headers, body) = await RawHttp.ReadResponseWithHeadersAsync(tcp.GetStream(), deadline.Token);
        return new Answer(status, headers, body);
    }

    private sealed record Answer(int Status, IReadOnlyDictionary<string, string> Headers, string Body);
}
