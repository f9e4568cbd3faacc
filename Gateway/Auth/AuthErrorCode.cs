namespace Entitlements.Gateway.Auth;

/// <summary>RallyHere's authentication error codes, with the description each is answered with.</summary>
public static class AuthErrorCode
{
    public const string NotJwt = "auth_not_jwt";
    public const string MalformedAccess = "auth_malformed_access";
    public const string TokenFormat = "auth_token_format";
    public const string InvalidKeyId = "auth_invalid_key_id";
    public const string SignatureInvalid = "auth_token_sig_invalid";
    public const string Expired = "auth_token_expired";
    public const string InvalidClaim = "auth_token_invalid_claim";
    public const string InvalidType = "auth_token_invalid_type";
    public const string InvalidVersion = "auth_invalid_version";
    public const string Unknown = "auth_token_unknown";
    public const string InsufficientPermissions = "insufficient_permissions";

    /// <summary>Ours: the credential came in the cookie on a request from another site's page (its <c>Origin</c>).</summary>
    public const string ForeignOrigin = "auth_cookie_foreign_origin";

    /// <summary>Ours: a dashboard sign-in or sign-out that a page of another site made the browser send.</summary>
    public const string CrossSite = "auth_cross_site_request";
}
