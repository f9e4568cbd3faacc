using System.Net;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Auth;

/// <summary>
/// Checks the key sources at start. The key set is read only when the first token arrives, so a source
/// that can never be read would otherwise let the gateway start and then refuse every token: a
/// <c>JwksUrl</c> that is relative or not http(s) (the HTTP client cannot fetch it at all), a plain
/// <c>http://</c> one to another machine (whoever is on the path could hand over keys of their own), or a
/// <c>JwksFile</c> that does not exist. A file that exists but is broken, or a URL that does not answer,
/// is a run-time matter: the keys in hand stay and the next token tries again. The numbers must not be
/// negative, <c>KeySetMaxAgeSeconds</c> at least 1 and <c>MaxTokenLifetime</c> more than zero; <c>Issuer</c> and <c>Audience</c>, when given, not empty. Every allowed origin must
/// be an origin (<see cref="RequestOrigin.Normalize"/>): one that never matches would fail only in a browser.
/// </summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.JwksUrl is { } url && !(url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)))
        {
            failures.Add($"{AuthOptions.SectionName}:JwksUrl must be an absolute http:// or https:// URL (got '{url.OriginalString}').");
        }
        else if (options.JwksUrl is { } plain && plain.Scheme == Uri.UriSchemeHttp && !IsLoopback(plain))
        {
            failures.Add($"{AuthOptions.SectionName}:JwksUrl must use https:// unless its host is this machine (localhost, 127.0.0.0/8, ::1): anyone on the path could replace the keys over http:// (got '{plain.OriginalString}').");
        }

        if (options.JwksFile is { } file && !File.Exists(file))
        {
            // Relative paths are read from the working directory, as at run time: say which file that is.
            var where = string.IsNullOrWhiteSpace(file) ? file : Path.GetFullPath(file);
            failures.Add($"{AuthOptions.SectionName}:JwksFile must name an existing file (got '{file}', which is '{where}').");
        }

        // An empty value would be required as it is, and refuse every token: unset is how no check is asked for.
        if (options.Issuer is "")
        {
            failures.Add($"{AuthOptions.SectionName}:Issuer must not be empty (leave it unset to accept any issuer).");
        }

        if (options.Audience is "")
        {
            failures.Add($"{AuthOptions.SectionName}:Audience must not be empty (leave it unset to accept any audience).");
        }

        if (options.ClockSkewSeconds < 0)
        {
            failures.Add($"{AuthOptions.SectionName}:ClockSkewSeconds must not be negative.");
        }

        if (options.MaxTokenLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{AuthOptions.SectionName}:MaxTokenLifetime must be more than zero (got '{options.MaxTokenLifetime}'): it is how far ahead a token's exp may lie.");
        }

        if (options.KeyRefreshIntervalSeconds < 0)
        {
            failures.Add($"{AuthOptions.SectionName}:KeyRefreshIntervalSeconds must not be negative.");
        }

        if (options.KeySetMaxAgeSeconds < 1)
        {
            failures.Add($"{AuthOptions.SectionName}:KeySetMaxAgeSeconds must be at least 1 (a removed key is accepted until the key set is read again).");
        }

        if (options.ValidatedTokenCacheSize < 0)
        {
            failures.Add($"{AuthOptions.SectionName}:ValidatedTokenCacheSize must not be negative (0 turns the cache off).");
        }

        foreach (var origin in options.AllowedOrigins)
        {
            if (RequestOrigin.Normalize(origin) is null)
            {
                failures.Add($"{AuthOptions.SectionName}:AllowedOrigins must hold origins, http:// or https:// with a host and no path (got '{origin}').");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The host is this machine: <c>localhost</c>, an address in 127.0.0.0/8, or ::1.</summary>
    private static bool IsLoopback(Uri url) =>
        url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            ? IPAddress.TryParse(url.IdnHost, out var address) && IPAddress.IsLoopback(address)
            : url.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase);
}
