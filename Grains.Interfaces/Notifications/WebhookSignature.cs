using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Entitlements.Notifications;

/// <summary>
/// The signature of a webhook request, sent in the <c>X-Entitlements-Signature</c> header as
/// <c>t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>, where the hex is the lowercase HMAC-SHA256, keyed with the
/// webhook's secret (UTF-8), of <c>"&lt;t&gt;.&lt;body&gt;"</c> (the raw UTF-8 request body). A receiver
/// recomputes it, compares in constant time, and rejects a timestamp too far from its own clock.
/// </summary>
public static class WebhookSignature
{
    /// <summary>How far a signature's timestamp may be from the receiver's clock, either way.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The header value for <paramref name="body"/> signed at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, DateTimeOffset timestamp, string body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(body);
        var seconds = timestamp.ToUnixTimeSeconds();
        return string.Create(CultureInfo.InvariantCulture, $"t={seconds},v1={Compute(secret, seconds, body)}");
    }

    /// <summary>
    /// Whether <paramref name="header"/> is a valid signature of <paramref name="body"/> with
    /// <paramref name="secret"/>, made no further than <paramref name="tolerance"/> (default five minutes)
    /// from <paramref name="now"/>. Any of several <c>v1</c> values may match.
    /// </summary>
    public static bool Verify(string secret, string? header, string body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        long? seconds = null;
        var candidates = new List<string>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = part.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                return false;
            }

            var key = part[..separator];
            var value = part[(separator + 1)..];
            if (key == "t")
            {
                if (seconds is not null || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    return false;
                }

                seconds = parsed;
            }
            else if (key == "v1")
            {
                candidates.Add(value);
            }
        }

        if (seconds is not { } t || candidates.Count == 0)
        {
            return false;
        }

        var skew = Math.Abs(now.ToUnixTimeSeconds() - t);
        if (skew > (tolerance ?? DefaultTolerance).TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, t, body));
        var matched = false;
        foreach (var candidate in candidates)
        {
            matched |= CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate));
        }

        return matched;
    }

    private static string Compute(string secret, long seconds, string body)
    {
        var payload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{seconds}.{body}"));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload));
    }
}
