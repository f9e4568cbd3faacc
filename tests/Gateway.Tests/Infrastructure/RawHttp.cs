using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// HTTP/1.1 written by hand on a socket, for what <see cref="HttpClient"/> will not send: a chunked body that
/// never ends, a Content-Length that says more than follows.
/// </summary>
internal static class RawHttp
{
    /// <summary>Connects to the gateway and sends <paramref name="head"/> (request line and headers, ended by an empty line) and <paramref name="body"/>.</summary>
    public static async Task<TcpClient> SendAsync(Uri baseAddress, string head, byte[] body, CancellationToken deadline)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port, deadline);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), deadline);
        await stream.WriteAsync(body, deadline);
        return tcp;
    }

    /// <summary>The head and first chunk of a chunked body: <paramref name="chunk"/>, with no last chunk after it.</summary>
    public static byte[] OpenChunk(byte[] chunk) =>
        [.. Encoding.ASCII.GetBytes(chunk.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), .. chunk, .. "\r\n"u8];

    /// <summary>One HTTP/1.1 response: its status and its body (by Content-Length or chunked).</summary>
    public static async Task<(int Status, string Body)> ReadResponseAsync(NetworkStream stream, CancellationToken deadline)
    {
        var (status, _, body) = await ReadResponseWithHeadersAsync(stream, deadline);
        return (status, body);
    }

    /// <summary>One HTTP/1.1 response: its status, its headers (names in any case) and its body.</summary>
    public static async Task<(int Status, IReadOnlyDictionary<string, string> Headers, string Body)> ReadResponseWithHeadersAsync(NetworkStream stream, CancellationToken deadline)
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

        return (status, headers, Encoding.UTF8.GetString([.. body]));

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
