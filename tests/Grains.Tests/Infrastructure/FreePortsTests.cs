using System.Net;
using System.Net.Sockets;

namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// The test ports: below the kernel's ephemeral range, where no outgoing connection can be given one before
/// the server meant for it binds it; each handed out once; and claimed so that another process cannot.
/// </summary>
public sealed class FreePortsTests
{
    [Fact]
    public void Next_IsBelowTheEphemeralRange_NeverTheSameTwice_AndBindable()
    {
        var (ephemeralLow, ephemeralHigh) = FreePorts.EphemeralRange();

        var ports = Enumerable.Range(0, 250).Select(_ => FreePorts.Next()).ToList();

        Assert.All(ports, port => Assert.InRange(port, FreePorts.First, FreePorts.End - 1));
        Assert.All(ports, port => Assert.False(port >= ephemeralLow && port <= ephemeralHigh, $"{port} is in the ephemeral range"));
        Assert.Equal(ephemeralLow >= FreePorts.Lowest + FreePorts.BlockSize || ephemeralHigh < FreePorts.Lowest ? FreePorts.Lowest : ephemeralHigh + 1, FreePorts.First);
        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port =>
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        });
    }

    [Fact]
    public void Consecutive_HandsOutARunNoOtherCallGets()
    {
        var first = FreePorts.Consecutive(40);
        var others = Enumerable.Range(0, 100).Select(_ => FreePorts.Next()).ToList();

        Assert.DoesNotContain(others, port => port >= first && port < first + 40);
        Assert.Equal(FreePorts.ClaimFileOf(first), FreePorts.ClaimFileOf(first + 39));
    }

    /// <summary>Another test process (Gateway.Tests beside Grains.Tests) opening the same block's claim is refused while this one runs.</summary>
    [Fact]
    public void Next_ItsBlockIsClaimed_AnotherOpenerIsRefused()
    {
        var port = FreePorts.Next();

        Assert.Throws<IOException>(() => new FileStream(FreePorts.ClaimFileOf(port), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
    }
}
