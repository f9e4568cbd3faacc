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

    /// <summary>
    /// Whether a browser says a page of another origin made it send the request. <c>Sec-Fetch-Site</c>, which every
    /// current browser sends, must be <c>same-origin</c> or <c>none</c> (the user's own navigation); <c>same-site</c>
    /// (a sibling host, which may be someone else's) and <c>cross-site</c> are another origin, and so is any other
    /// value. A browser that does not send it names the page's origin in <c>Origin</c>, which must then be the
    /// request's own (<see cref="Own"/>; <c>null</c>, from a sandboxed page, is not). A request with neither is no
    /// browser's page at all: a tool or script, which could send the same request from anywhere.
    /// </summary>
    public static bool FromAnotherOrigin(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers[SecFetchSite] is { Count: > 0 } site)
        {
            return site is not ["same-origin" or "none"];
        }

        return request.Headers.Origin switch
        {
            [] => false,
            [var origin] => Normalize(origin) is not { } normalized || normalized != Own(request),
            _ => true, // two Origin headers: no browser sends them
        };
    }

    private const string SecFetchSite = "Sec-Fetch-Site";
}
