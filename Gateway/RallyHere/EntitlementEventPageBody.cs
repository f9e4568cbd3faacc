using System.IO.Compression;
using Microsoft.AspNetCore.Http.Headers;

namespace Entitlements.Gateway.RallyHere;

/// <summary>
/// The JSON written once for a page of the entitlement-event listing and, for a client that accepts it, the
/// same bytes gzip-compressed. A page of 100 events is about 54 KiB of JSON and a tenth of that compressed:
/// most of what a page costs the gateway, the client and the network is moving those bytes, so a client
/// that sends <c>Accept-Encoding: gzip</c> (browsers, <c>HttpClient</c> with automatic decompression, curl
/// <c>--compressed</c>) gets the compressed form.
/// <list type="bullet">
/// <item>A page the gateway keeps (<see cref="EntitlementEventPageCache"/>) is compressed once, at the best
/// ratio, when it is kept.</item>
/// <item>A page that is not kept is compressed for the request at the fastest level, and only when the
/// client accepts gzip.</item>
/// <item>Bodies under <see cref="CompressFrom"/> bytes (an empty or nearly empty page) go out as they are:
/// they fit in a packet either way.</item>
/// </list>
/// </summary>
public sealed class EntitlementEventPageBody
{
    /// <summary>The smallest body worth compressing.</summary>
    public const int CompressFrom = 1024;

    private EntitlementEventPageBody(byte[] json, byte[]? gzip)
    {
        Json = json;
        Gzip = gzip;
    }

    /// <summary>The page as JSON (UTF-8).</summary>
    public byte[] Json { get; }

    /// <summary>The JSON gzip-compressed; null when the body is too small to be worth it or was not asked for.</summary>
    public byte[]? Gzip { get; }

    /// <summary>The bytes the body takes in memory, both forms.</summary>
    public long Size => Json.Length + (Gzip?.Length ?? 0);

    /// <summary>A body to keep: compressed now, at the best ratio, whoever asks for it later.</summary>
    public static EntitlementEventPageBody ToKeep(byte[] json) => new(json, Compress(json, CompressionLevel.Optimal));

    /// <summary>A body for one answer: compressed (quickly) only when this client accepts gzip.</summary>
    public static EntitlementEventPageBody ForAnswer(byte[] json, bool acceptsGzip) =>
        new(json, acceptsGzip ? Compress(json, CompressionLevel.Fastest) : null);

    /// <summary>
    /// Whether the request's <c>Accept-Encoding</c> accepts gzip (RFC 9110, section 12.5.3): <c>gzip</c> or
    /// <c>x-gzip</c> with a non-zero weight, or <c>*</c> with a non-zero weight when gzip is not named.
    /// </summary>
    public static bool AcceptsGzip(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.AcceptEncoding.Count == 0)
        {
            return false;
        }

        double? gzip = null;
        double? any = null;
        foreach (var coding in new RequestHeaders(request.Headers).AcceptEncoding)
        {
            var weight = coding.Quality ?? 1;
            if (coding.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Value.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
            {
                gzip = Math.Max(gzip ?? 0, weight);
            }
            else if (coding.Value.Equals("*", StringComparison.Ordinal))
            {
                any = Math.Max(any ?? 0, weight);
            }
        }

        return (gzip ?? any ?? 0) > 0;
    }

    private static byte[]? Compress(byte[] json, CompressionLevel level)
    {
        if (json.Length < CompressFrom)
        {
            return null;
        }

        using var output = new MemoryStream(json.Length / 4);
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return output.ToArray();
    }
}
