using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// TCP ports for the servers the tests start (gateway, silo, simulator and PostgreSQL processes, co-hosted
/// silos), none of them in use when handed out and none handed out twice, also across test processes.
/// <para>
/// A port the OS picks from its ephemeral range and releases at once is free only until the next outgoing
/// connection (HttpClient, Npgsql, Orleans) is given it as its local port; a server started on it a moment
/// later then fails with "address already in use". So the ports come from below the ephemeral range
/// (<c>/proc/sys/net/ipv4/ip_local_port_range</c>), where the kernel never picks one: from
/// <see cref="Lowest"/> to <see cref="Highest"/> (or, where the ephemeral range starts lower, as many just above
/// its end; see <see cref="First"/> and <see cref="End"/>), clear as well of the ports Orleans' own test clusters pick
/// (22300 and up) in the grain tests. Each test process claims blocks of <see cref="BlockSize"/> ports with a lock
/// file per block, held until it exits, so that Grains.Tests and Gateway.Tests run side by side (as
/// <c>dotnet test Orleans.sln</c> does), or another checkout's run, never share one; within a block a port
/// that something else listens on is skipped.
/// </para>
/// </summary>
internal static class FreePorts
{
    /// <summary>The first port of the preferred range.</summary>
    public const int Lowest = 10000;

    /// <summary>The end of the preferred range (exclusive).</summary>
    public const int Highest = 20000;

    public const int BlockSize = 100;

    private static readonly Lock Gate = new();
    private static readonly List<FileStream> Claims = [];
    private static readonly (int Low, int High) Ephemeral = EphemeralRange();

    /// <summary>
    /// The first port handed out: <see cref="Lowest"/>, unless the ephemeral range starts less than a block
    /// above it; then the port after the ephemeral range's end.
    /// </summary>
    public static readonly int First = Ephemeral.Low >= Lowest + BlockSize || Ephemeral.High < Lowest ? Lowest : Ephemeral.High + 1;

    /// <summary>The end (exclusive) of the ports handed out: never into the ephemeral range, never past 65536.</summary>
    public static readonly int End = First == Lowest
        ? (Ephemeral.Low >= Lowest ? Math.Min(Highest, Ephemeral.Low) : Highest)
        : Math.Min(First + (Highest - Lowest), 65536);
    private static int _next;
    private static int _blockEnd;

    /// <summary>A port nothing listens on, below the ephemeral range, handed out once.</summary>
    public static int Next() => Consecutive(1);

    /// <summary>The first of <paramref name="count"/> consecutive ports (at most <see cref="BlockSize"/>), as <see cref="Next"/>.</summary>
    public static int Consecutive(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BlockSize);
        lock (Gate)
        {
            while (true)
            {
                if (_blockEnd - _next < count)
                {
                    _next = ClaimBlock();
                    _blockEnd = _next + BlockSize;
                }

                var first = _next;
                var taken = Enumerable.Range(first, count).Where(port => !Bindable(port)).DefaultIfEmpty(-1).Max();
                _next = taken < 0 ? first + count : taken + 1;
                if (taken < 0)
                {
                    return first;
                }
            }
        }
    }

    /// <summary>A block no other process holds, starting from a random one so that concurrent runs seldom try the same.</summary>
    private static int ClaimBlock()
    {
        var blocks = (End - First) / BlockSize;
        if (blocks < 1)
        {
            throw new InvalidOperationException(
                $"The ephemeral port range is {Ephemeral.Low}-{Ephemeral.High}: no block of {BlockSize} test ports fits below or above it (see /proc/sys/net/ipv4/ip_local_port_range).");
        }

        Directory.CreateDirectory(ClaimDirectory);
        var offset = Random.Shared.Next(blocks);
        for (var i = 0; i < blocks; i++)
        {
            var start = First + ((offset + i) % blocks * BlockSize);
            try
            {
                // FileShare.None takes an exclusive lock on the file (flock on Unix), which this process holds
                // until it exits or crashes; another process, or this one opening it again, is refused.
                Claims.Add(new FileStream(ClaimFileOf(start), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                return start;
            }
            catch (IOException)
            {
            }
        }

        throw new InvalidOperationException($"All {blocks} blocks of test ports from {First} to {End} are held by other processes (lock files in {ClaimDirectory}).");
    }

    /// <summary>The lock file of the block that holds <paramref name="port"/>.</summary>
    public static string ClaimFileOf(int port) =>
        Path.Combine(ClaimDirectory, (First + ((port - First) / BlockSize * BlockSize)).ToString(CultureInfo.InvariantCulture) + ".lock");

    private static string ClaimDirectory => Path.Combine(Path.GetTempPath(), $"entitlements-test-ports-{Environment.UserName}");

    private static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The ports the kernel gives outgoing connections; 32768-60999 (Linux's default) where it does not say.</summary>
    public static (int Low, int High) EphemeralRange()
    {
        const string RangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(RangeFile)
            && File.ReadAllText(RangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is [var low, var high, ..]
            && int.TryParse(low, NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            && int.TryParse(high, NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            ? (first, last)
            : (32768, 60999);
    }
}
