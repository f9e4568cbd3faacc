using System.Net;
using System.Net.Sockets;

namespace Entitlements.Tests.Notifications;

/// <summary>TCP connections with a small receive buffer: a client that stops reading makes the server's sends wait soon.</summary>
internal static class SmallWindow
{
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, int receiveBufferBytes, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = receiveBufferBytes };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
