using System.Net.Sockets;

namespace Entitlements.Tests.Notifications;

/// <summary>The HTTP handler of the test push clients (WebSocket and SSE).</summary>
internal static class PushClientHandler
{
    /// <summary>
    /// A handler whose connections have a TCP receive buffer of <paramref name="receiveBufferBytes"/>, when
    /// given, set before they connect: a client that does not read then stops the server's sends after that much.
    /// </summary>
    public static SocketsHttpHandler Create(int? receiveBufferBytes)
    {
        var handler = new SocketsHttpHandler();
        if (receiveBufferBytes is { } bytes)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = bytes };
                try
                {
                    await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(tcp, ownsSocket: true);
                }
                catch
                {
                    tcp.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }
}
