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

        var (status, body) = await ReadResponseAsync(stream, deadline.Token);

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

    /// <summary>One HTTP/1.1 response: its status and its body (by Content-Length or chunked).</summary>
    private static async Task<(int Status, string Body)> ReadResponseAsync(NetworkStream stream, CancellationToken deadline)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headEnd;
        while ((headEnd = IndexOf(received, "\r\n\r\n"u8.ToArray())) < 0)
        {
            await ReadMoreAsync();
        }

        var head = Encoding.ASCII.GetString([.. received.Take(headEnd)]).Split("\r\n");
        var headers = head.Skip(1).Select(line => line.Split(':', 2)).ToDictionary(h => h[0].Trim(), h => h[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var status = int.Parse(head[0].Split(' ')[1], CultureInfo.InvariantCulture);
        received.RemoveRange(0, headEnd + 4);
        var body = new List<byte>();
        if (headers.TryGetValue("Content-Length", out var length))
        {
            while (received.Count < int.Parse(length, CultureInfo.InvariantCulture))
            {
                await ReadMoreAsync();
            }

            body.AddRange(received.Take(int.Parse(length, CultureInfo.InvariantCulture)));
        }
        else
        {
            Assert.Equal("chunked", headers["Transfer-Encoding"]);
            while (true)
            {
                int lineEnd;
                while ((lineEnd = IndexOf(received, "\r\n"u8.ToArray())) < 0)
                {
                    await ReadMoreAsync();
                }

                var size = int.Parse(Encoding.ASCII.GetString([.. received.Take(lineEnd)]), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    break;
                }

                while (received.Count < lineEnd + 2 + size + 2)
                {
                    await ReadMoreAsync();
                }

                body.AddRange(received.Skip(lineEnd + 2).Take(size));
                received.RemoveRange(0, lineEnd + 2 + size + 2);
            }
        }

        return (status, Encoding.UTF8.GetString([.. body]));

        async Task ReadMoreAsync()
        {
            var read = await stream.ReadAsync(buffer, deadline);
            Assert.True(read > 0, "the connection closed before the whole response");
            received.AddRange(buffer.AsSpan(0, read));
        }
    }

    private static int IndexOf(List<byte> bytes, byte[] value)
    {
        for (var i = 0; i + value.Length <= bytes.Count; i++)
        {
            if (bytes.Skip(i).Take(value.Length).SequenceEqual(value))
            {
                return i;
            }
        }

        return -1;
    }
}
