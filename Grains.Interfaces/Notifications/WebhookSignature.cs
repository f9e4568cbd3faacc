using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Entitlements.Notifications;

/// <summary>
/// The signature of a webhook request, sent in the <c>X-Entitlements-Signature</c> header as
/// <c>t=&lt;unix seconds&gt;,v2=&lt;hex&gt;</c>, where the hex is the lowercase HMAC-SHA256, keyed with the
/// webhook's secret (UTF-8), of the UTF-8 message made of <c>t</c> and the value of each of the
/// <see cref="WebhookHeaders.Covered"/> headers in that order, each followed by a line feed, then the raw
/// request body. A receiver recomputes it from the request, compares in constant time, and rejects a
/// timestamp too far from its own clock. No signed value can hold a line break, so the message reads
/// only one way.
/// </summary>
public static class WebhookSignature
{
    /// <summary>How far a signature's timestamp may be from the receiver's clock, either way.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The name of the signature scheme in the header.</summary>
    public const string Scheme = "v2";

    /// <summary>
    /// The header value that signs <paramref name="body"/> and the <see cref="WebhookHeaders.Covered"/> headers,
    /// taken from <paramref name="headers"/> (names compared ignoring case), at <paramref name="timestamp"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A signed header is missing, given twice, or holds a line break.</exception>
    public static string Sign(string secret, DateTimeOffset timestamp, IEnumerable<KeyValuePair<string, StringValues>> headers, string body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(body);
        var seconds = timestamp.ToUnixTimeSeconds();
        var signature = Compute(secret, seconds, headers, body)
            ?? throw new ArgumentException("Each signed header must be given once, with one value and no line break.", nameof(headers));
        return string.Create(CultureInfo.InvariantCulture, $"t={seconds},{Scheme}={signature}");
    }

    /// <summary>
    /// Whether the request with <paramref name="headers"/> (for example <c>HttpRequest.Headers</c>; names
    /// compared ignoring case) and <paramref name="body"/> carries a valid signature made with
    /// <paramref name="secret"/> no further than <paramref name="tolerance"/> (default five minutes) from
    /// <paramref name="now"/>. Any of several <c>v2</c> values may match; other schemes are ignored. A
    /// signature or signed header that is missing, or sent twice, fails.
    /// </summary>
    public static bool Verify(string secret, IEnumerable<KeyValuePair<string, StringValues>> headers, string body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(body);
        var header = Single(headers, WebhookHeaders.Signature);
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
            else if (key == Scheme)
            {
                candidates.Add(value);
            }
        }

        if (seconds is not { } t || candidates.Count == 0)
        {
            return false;
        }

        var skew = Math.Abs(now.ToUnixTimeSeconds() - t);
        if (skew > (tolerance ?? DefaultTolerance).TotalSeconds || Compute(secret, t, headers, body) is not { } computed)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(computed);
        var matched = false;
        foreach (var candidate in candidates)
        {
            matched |= CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate));
        }

        return matched;
    }

    /// <summary>The hex signature, or null when a signed header is missing, repeated or holds a line break.</summary>
    private static string? Compute(string secret, long seconds, IEnumerable<KeyValuePair<string, StringValues>> headers, string body)
    {
        var message = new StringBuilder().Append(seconds.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var name in WebhookHeaders.Covered)
        {
            if (Single(headers, name) is not { } value || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                return null;
            }

            message.Append(value).Append('\n');
        }

        message.Append(body);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(message.ToString())));
    }

    /// <summary>The one value of header <paramref name="name"/>, or null when it is missing or given more than once.</summary>
    private static string? Single(IEnumerable<KeyValuePair<string, StringValues>> headers, string name)
    {
        string? found = null;
        var count = 0;
        foreach (var (key, values) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                count += values.Count;
                found = values.Count == 1 ? values[0] : null;
            }
        }

        return count == 1 ? found : null;
    }
}
