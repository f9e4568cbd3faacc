using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.PlayFab;

/// <summary>
/// How often the PlayFab routes may be called, as PlayFab limits its Client API: logins per client address
/// (anyone may call <c>LoginWithXbox</c>, and each call may cost an RSA decryption of its XboxToken) and
/// consumes per player (each call decrypts an XboxToken and may call Xbox). Each is a token bucket: a burst
/// of calls at once, then a steady rate. A call over the limit is answered
/// <see cref="PlayFabError.ApiClientRequestRateLimitExceeded"/> with <c>Retry-After</c>, before anything
/// else is read or done, and counted on <see cref="RateLimitedName"/>.
/// </summary>
public sealed class PlayFabRateLimits
{
    public const string MeterName = "Entitlements.Gateway.PlayFab";
    public const string RateLimitedName = "entitlements.playfab.rate_limited";

    private readonly TokenBuckets<string>? _logins;
    private readonly TokenBuckets<Guid>? _consumes;
    private readonly Counter<long> _rateLimited;

    public PlayFabRateLimits(IOptions<PlayFabOptions> options, IMeterFactory meters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        var settings = options.Value;
        _logins = settings.LoginsPerSecondPerAddress > 0 ? new(settings.LoginsPerSecondPerAddress, settings.LoginBurstPerAddress, time) : null;
        _consumes = settings.ConsumesPerSecondPerPlayer > 0 ? new(settings.ConsumesPerSecondPerPlayer, settings.ConsumeBurstPerPlayer, time) : null;
        _rateLimited = meters.Create(MeterName).CreateCounter<long>(
            RateLimitedName, "{call}", "PlayFab calls refused for being over their rate limit, by route (login, consume).");
    }

    /// <summary>Take a login from the caller's address: null when admitted, else how long to wait.</summary>
    public TimeSpan? AdmitLogin(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _logins is null ? null : Counted(_logins.TryTake(AddressKey(context.Connection.RemoteIpAddress)), "login");
    }

    /// <summary>Take a consume of <paramref name="player"/>: null when admitted, else how long to wait.</summary>
    public TimeSpan? AdmitConsume(Guid player) => _consumes is null ? null : Counted(_consumes.TryTake(player), "consume");

    /// <summary>
    /// The address a limit counts by: an IPv4 address (also when mapped into IPv6) on its own, an IPv6 address
    /// by its /64 network, which one host commonly has to itself and can spend freely. An IPv6 address that
    /// carries the IPv4 address it stands for counts as that IPv4 address: NAT64's well-known prefix
    /// (<c>64:ff9b::/96</c>, RFC 6052), where every IPv4 client behind a translator would otherwise share one
    /// /64; Teredo (<c>2001::/32</c>, RFC 4380), whose /64 is its relay server's, the client's own public address
    /// being the last 32 bits inverted; 6to4 (<c>2002::/16</c>, RFC 3056), one site of many /64s under one
    /// IPv4 address. No address (a Unix socket) is one shared key.
    /// </summary>
    public static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return string.Empty;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        if (bytes[..12].SequenceEqual(Nat64Prefix))
        {
            return new IPAddress(bytes[12..]).ToString();
        }

        if (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0 && bytes[3] == 0)
        {
            Span<byte> client = stackalloc byte[4];
            for (var i = 0; i < 4; i++)
            {
                client[i] = (byte)~bytes[12 + i];
            }

            return new IPAddress(client).ToString();
        }

        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            return new IPAddress(bytes[2..6]).ToString();
        }

        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>NAT64's well-known prefix, <c>64:ff9b::/96</c>: the IPv4 address is the last 32 bits.</summary>
    private static ReadOnlySpan<byte> Nat64Prefix => [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];

    private TimeSpan? Counted(TimeSpan? wait, string route)
    {
        if (wait is not null)
        {
            _rateLimited.Add(1, new KeyValuePair<string, object?>("route", route));
        }

        return wait;
    }
}
