using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests;

/// <summary>
/// The body limits of the authenticated JSON routes (docs/api.md): a larger body is a 413 <c>HzApiErrorModel</c>,
/// answered as soon as the limit is passed, chunked or not, and the rest of it is never read.
/// </summary>
public sealed class RequestBodyLimitTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const int EventLimit = 299_008;
    private const int ConsumeLimit = 10_240;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static TheoryData<string, string, int> Routes => new()
    {
        { "POST", GatewayHttp.EventsPath, EventLimit },
        { "POST", "/inventory/v1/player/3f2b1c9e-8d4a-4e5b-9c6d-7a8b9c0d1e2f/entitlements/consume", ConsumeLimit },
        { "PUT", "/inventory/v1/catalog/entitlement-sku/Steam/body-limit", EventLimit },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_BodyOfExactlyTheLimit_IsRead(string method, string path, int limit)
    {
        var response = await fixture.Client.SendAsync(new HttpMethod(method), path, PaddedEmptyObject(limit));

        AssertEveryFieldMissing(response.Status, response.Body);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_BodyOneByteOverTheLimit_Returns413(string method, string path, int limit)
    {
        // The answer comes from Content-Length, before the body is read, and the connection is closed with the
        // body unread: a client still writing it then meets a broken pipe instead of the answer. With
        // Expect: 100-continue the client waits for the server's word before it sends the body.
        var response = await fixture.Client.SendAsync(new HttpMethod(method), path, PaddedEmptyObject(limit + 1), request => request.Headers.ExpectContinue = true);

        JsonAssert.Response(HttpStatusCode.RequestEntityTooLarge, TooLarge(limit), response);
    }

    /// <summary>
    /// The limit holds on the bytes received, whatever the encoding: a UTF-16 body (which Python decodes) of
    /// exactly the limit is read, two bytes more (one more character) are a 413, though in UTF-8 either is half that.
    /// </summary>
    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_Utf16BodyOfTheLimitIsRead_TwoBytesMoreReturn413(string method, string path, int limit)
    {
        var read = await fixture.Client.SendBytesAsync(new HttpMethod(method), path, PythonEncodings.Encode(PaddedEmptyObject(limit / 2), "utf-16le"));
        var over = await fixture.Client.SendBytesAsync(new HttpMethod(method), path, PythonEncodings.Encode(PaddedEmptyObject((limit / 2) + 1), "utf-16le"));

        AssertEveryFieldMissing(read.Status, read.Body);
        JsonAssert.Response(HttpStatusCode.RequestEntityTooLarge, TooLarge(limit), over);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_ChunkedBodyOfExactlyTheLimit_IsRead(string method, string path, int limit)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        using var tcp = await RawHttp.SendAsync(
            fixture.Client.BaseAddress!, Head(method, path, "Transfer-Encoding: chunked"), [.. RawHttp.OpenChunk(Encoding.ASCII.GetBytes(PaddedEmptyObject(limit))), .. "0\r\n\r\n"u8], deadline.Token);

        var (status, body) = await RawHttp.ReadResponseAsync(tcp.GetStream(), deadline.Token);

        AssertEveryFieldMissing((HttpStatusCode)status, body);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_ChunkedBodyThatGoesOnPastTheLimit_Returns413WithoutWaitingForItsEnd(string method, string path, int limit)
    {
        // No Content-Length, and no last chunk: only a reader that stops at the limit can answer.
        using var deadline = new CancellationTokenSource(Deadline);
        using var tcp = await RawHttp.SendAsync(
            fixture.Client.BaseAddress!, Head(method, path, "Transfer-Encoding: chunked"), RawHttp.OpenChunk(Encoding.ASCII.GetBytes(PaddedEmptyObject(limit + 1))), deadline.Token);

        var (status, body) = await RawHttp.ReadResponseAsync(tcp.GetStream(), deadline.Token);

        Assert.Equal(413, status);
        JsonAssert.Equal(TooLarge(limit), body);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_ContentLengthOverTheLimitWithLittleSent_Returns413WithoutWaitingForTheRest(string method, string path, int limit)
    {
        // The header claims 30 MB (Kestrel's own default limit) and six bytes follow: the answer cannot wait for the rest.
        using var deadline = new CancellationTokenSource(Deadline);
        using var tcp = await RawHttp.SendAsync(fixture.Client.BaseAddress!, Head(method, path, "Content-Length: 30000000"), "{\"a\": "u8.ToArray(), deadline.Token);

        var (status, body) = await RawHttp.ReadResponseAsync(tcp.GetStream(), deadline.Token);

        Assert.Equal(413, status);
        JsonAssert.Equal(TooLarge(limit), body);
    }

    [Fact]
    public async Task Post_LargestValidEventAsPythonWritesIt_IsRecorded()
    {
        // json.dumps's defaults: every non-ASCII character escaped (an emoji as two \uXXXX), a space after ':' and ','.
        // platform_data holds 65,536 bytes in its stored form, the three strings their most characters.
        const string Emoji = "\U0001F600";
        var unique = Unique.Name("tx");
        var transactionId = unique + Repeat(Emoji, 4096 - unique.Length);
        var body = "{\"action_type\": \"grant\", \"platform\": \"Steam\", "
            + $"\"platform_user_id\": {Escaped(Repeat(Emoji, 2048))}, \"sku\": {Escaped(Repeat(Emoji, 2048))}, "
            + $"\"platform_transaction_id\": {Escaped(transactionId)}, \"quantity\": 1000000, "
            + $"\"platform_data\": {{\"d\": {Escaped(Repeat(Emoji, 16_382))}}}}}";

        var response = await fixture.Client.PostEventAsync(body);

        Assert.True(response.Status == HttpStatusCode.OK, $"answered {(int)response.Status} {response.Body[..Math.Min(300, response.Body.Length)]}");
        Assert.Equal(transactionId, response.BodyObject["platform_transaction_id"]!.GetValue<string>());
        Assert.Equal(Repeat(Emoji, 16_382), response.BodyObject["platform_data"]!["d"]!.GetValue<string>());
        Assert.InRange(Encoding.UTF8.GetByteCount(body), EventLimit - 8192, EventLimit);
    }

    /// <summary>
    /// The grains bound a catalog entry's custom data (as JSON) by this route's body limit: a body of exactly the
    /// limit, nearly all of it custom data, is still stored whole, so the bound changes nothing for the route.
    /// </summary>
    [Fact]
    public async Task Put_CatalogEntryWhoseCustomDataFillsABodyOfExactlyTheLimit_IsStored()
    {
        var sku = Unique.Name("sku");
        var head = $"{{\"loot_entitlement\":{{\"type\":\"durable\",\"loot_id\":5}},\"item_id\":\"{Unique.Name("item")}\",\"item_name\":\"Item\",\"custom_data\":{{\"note\":\"";
        const string Tail = "\"}}";
        var filler = new string('x', EventLimit - head.Length - Tail.Length);
        var body = head + filler + Tail;

        var response = await fixture.Client.SendAsync(HttpMethod.Put, $"/inventory/v1/catalog/entitlement-sku/Steam/{sku}", body);
        var read = await fixture.Client.GetApiAsync($"/inventory/v1/catalog/entitlement-sku/Steam/{sku}");

        Assert.Equal(EventLimit, Encoding.UTF8.GetByteCount(body));
        Assert.True(response.Status == HttpStatusCode.OK, $"answered {(int)response.Status} {response.Body[..Math.Min(300, response.Body.Length)]}");
        Assert.Equal(filler, read.BodyObject["custom_data"]!["note"]!.GetValue<string>());
    }

    private static JsonObject TooLarge(int limit) => new()
    {
        ["auth_success"] = true,
        ["error_code"] = "request_body_too_large",
        ["desc"] = $"The request body is larger than this route takes ({limit} bytes).",
    };

    /// <summary>Each route's answer to <c>{}</c>: a 422 whose every entry is a missing field.</summary>
    private static void AssertEveryFieldMissing(HttpStatusCode status, string body)
    {
        Assert.True(status == HttpStatusCode.UnprocessableEntity, $"answered {(int)status} {body}");
        var detail = JsonNode.Parse(body)!["detail"]!.AsArray();
        Assert.NotEmpty(detail);
        Assert.All(detail, entry => Assert.Equal("missing", entry!["type"]!.GetValue<string>()));
    }

    /// <summary><c>{}</c> of exactly <paramref name="bytes"/> bytes: whitespace between the braces.</summary>
    private static string PaddedEmptyObject(int bytes) => "{" + new string(' ', bytes - 2) + "}";

    private string Head(string method, string path, string framing) =>
        $"{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: {fixture.Client.DefaultRequestHeaders.Authorization}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n";

    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));

    /// <summary>A JSON string with every non-ASCII character escaped, as Python's json.dumps writes it.</summary>
    private static string Escaped(string text) => JsonSerializer.Serialize(text);
}
