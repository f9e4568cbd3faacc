using System.Net;
using System.Net.Sockets;

namespace Entitlements.Tests.Infrastructure;

/// <summary>TCP ports nobody listens on right now, found by letting the OS pick one.</summary>
internal static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
