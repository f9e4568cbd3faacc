using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// The PlayFab routes' 256 KiB body limit: a larger body is InvalidParams, refused once the limit is passed
/// rather than after the whole of it was read (LoginWithXbox takes anonymous callers).
/// </summary>
public sealed class PlayFabRequestBodyLimitTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const int Limit = 256 * 1024;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static JsonObject TooLarge => new()
    {
        ["code"] = 400,
        ["status"] = "BadRequest",
        ["error"] = "InvalidParams",
        ["errorCode"] = 1000,
        ["errorMessage"] = "Invalid input parameters",
        ["errorDetails"] = new JsonObject { ["body"] = new JsonArray("The request body is too large.") },
    };

    [Fact]
    public async Task LoginWithXbox_BodyOfExactlyTheLimit_IsRead()
    {
        var response = await fixture.Client.SendAsync(HttpMethod.Post, "/Client/LoginWithXbox", PaddedLogin(Limit));

        PlayFabHttp.AssertError(response, HttpStatusCode.BadRequest, "ProductDisabledForTitle", 1609);
    }

    [Fact]
    public async Task LoginWithXbox_BodyOneByteOverTheLimit_IsInvalidParams()
    {
        var response = await fixture.Client.SendAsync(HttpMethod.Post, "/Client/LoginWithXbox", PaddedLogin(Limit + 1));

        JsonAssert.Response(HttpStatusCode.BadRequest, TooLarge, response);
    }

    [Fact]
    public async Task LoginWithXbox_ChunkedBodyThatGoesOnPastTheLimit_IsAnsweredWithoutWaitingForItsEnd()
    {
        // A chunked body (no Content-Length) that passes the limit and never ends: only a reader that stops
        // at the limit answers it.
        using var tcp = new TcpClient();
        using var deadline = new CancellationTokenSource(Deadline);
        await tcp.ConnectAsync(fixture.Client.BaseAddress!.Host, fixture.Client.BaseAddress.Port, deadline.Token);
        var stream = tcp.GetStream();
        var chunk = Encoding.ASCII.GetBytes(PaddedLogin(Limit + 1));
        var head = "POST /Client/LoginWithXbox?sdk=CSharpSDK-1.0 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunk.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), deadline.Token);
        await stream.WriteAsync(chunk, deadline.Token);
        await stream.WriteAsync("\r\n"u8.ToArray(), deadline.Token);

        var (status, body) = await RawHttp.ReadResponseAsync(stream, deadline.Token);

        Assert.Equal(400, status);
        JsonAssert.Equal(TooLarge, body);
    }

    /// <summary>A LoginWithXbox body of exactly <paramref name="bytes"/> bytes, padded by an extra field.</summary>
    private static string PaddedLogin(int bytes)
    {
        var start = "{\"TitleId\":\"E2E1\",\"XboxToken\":\"XBL3.0 x=1;a.b.c.d.e\",\"Padding\":\"";
        var end = "\"}";
        return start + new string('x', bytes - start.Length - end.Length) + end;
    }
}
