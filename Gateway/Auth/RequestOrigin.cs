namespace Entitlements.Gateway.Auth;

/// <summary>
/// Web origins as a browser states them in the <c>Origin</c> header, compared as <c>scheme://host:port</c>
/// (case ignored, the scheme's default port filled in).
/// </summary>
public static class RequestOrigin
{
    /// <summary>
    /// <paramref name="origin"/> as <c>scheme://host:port</c> in lower case; null when it is not an http or
    /// https origin (<c>null</c>, an opaque origin, included) or has a path, query or fragment.
    /// </summary>
    public static string? Normalize(string? origin)
    {
        if (string.IsNullOrWhiteSpace(origin)
            || !Uri.TryCreate(origin.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.HostNameType == UriHostNameType.Basic
            || string.IsNullOrEmpty(uri.Host)
            || uri.AbsolutePath != "/"
            || uri.Query.Length > 0
            || uri.Fragment.Length > 0
            || uri.UserInfo.Length > 0)
        {
            return null;
        }

        return $"{uri.Scheme}://{uri.Host}:{uri.Port}".ToLowerInvariant();
    }

    /// <summary>The origin the request was sent to: its scheme and <c>Host</c> header; null when the Host header is not a host.</summary>
    public static string? Own(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Host.HasValue ? Normalize($"{request.Scheme}://{request.Host.Value}") : null;
    }
}
