namespace Entitlements.Gateway.Auth;

/// <summary>Configuration section <c>Auth</c>: where the signing keys come from and what a token must say.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>A JWKS document on disk, which must exist at start. Re-read when a token names a key it does not have.</summary>
    public string? JwksFile { get; set; }

    /// <summary>A JWKS document at an absolute http(s) URL (checked at start). Re-fetched when a token names a key it does not have.</summary>
    public Uri? JwksUrl { get; set; }

    /// <summary>When set, the token's <c>iss</c> must equal it.</summary>
    public string? Issuer { get; set; }

    /// <summary>When set, the token's <c>aud</c> (a string or an array) must contain it.</summary>
    public string? Audience { get; set; }

    /// <summary>Leeway for <c>exp</c> and <c>nbf</c>.</summary>
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>
    /// The furthest ahead a token's <c>exp</c> may lie (with <see cref="ClockSkewSeconds"/>): a token cannot be
    /// revoked before it expires, so one that claims to live longer is refused. The XSTS tokens of the PlayFab
    /// surface are held to it too, with <c>Xbox:ClockSkewSeconds</c>. More than zero; 366 days by default, the
    /// longest <c>--ttl</c> of the <c>token</c> command.
    /// </summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromDays(TokenCommand.MaxLifetimeDays);

    /// <summary>
    /// The least time from the last load of the key set that succeeded to a reload caused by an unknown
    /// <c>kid</c>. After a load that failed, the next may start after <see cref="SigningKeySet.FailedLoadBackoff"/>.
    /// </summary>
    public int KeyRefreshIntervalSeconds { get; set; } = 30;

    /// <summary>
    /// The oldest the key set in use may grow: once loaded, it is read again this long after the last load
    /// that succeeded, whatever kids the tokens name, so that a key removed from the sources stops being
    /// accepted. <see cref="KeyRefreshIntervalSeconds"/> is used instead when it is longer. At least 1.
    /// </summary>
    public int KeySetMaxAgeSeconds { get; set; } = 300;

    /// <summary>
    /// How many validated tokens <see cref="ValidatedTokenCache"/> remembers, so that a token sent again
    /// skips the signature check; 0 turns the cache off.
    /// </summary>
    public int ValidatedTokenCacheSize { get; set; } = 4096;

    /// <summary>
    /// The built-in development issuer: a signing key in the data directory, its public key at
    /// <c>/.well-known/jwks.json</c>, and the <c>token</c> command. Null means "on unless a key set is
    /// configured", in cluster mode too (the docker-compose cluster relies on it); a production deployment
    /// configures <c>Auth:JwksUrl</c> or <c>Auth:JwksFile</c>, which turns it off.
    /// </summary>
    public bool? DevelopmentIssuer { get; set; }

    /// <summary>
    /// The development issuer's signing key file; default <c>dev-signing-key.json</c> in the data directory.
    /// Gateways of one cluster share one file (created by whichever starts first) to accept each other's tokens.
    /// </summary>
    public string? DevelopmentKeyFile { get; set; }

    /// <summary>
    /// Origins (<c>scheme://host[:port]</c>) besides the gateway's own whose pages may send requests that
    /// carry the <c>Authorization</c> cookie; a cookie-authenticated request with any other <c>Origin</c> is refused.
    /// The gateway answers CORS, with credentials, for these origins only (<see cref="AllowedOriginsCors"/>).
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    public bool DevelopmentIssuerEnabled => DevelopmentIssuer ?? (JwksFile is null && JwksUrl is null);
}
