namespace Entitlements.Gateway.Auth;

/// <summary>
/// What a successful validation established about a token, as <see cref="ValidatedTokenCache"/> keeps it:
/// the token itself, the times a later use must still be checked against (<c>exp</c>, <c>nbf</c>, in Unix
/// seconds), and the <see cref="SigningKeySet.Generation"/> whose key verified it.
/// </summary>
public sealed record ValidatedToken(AccessToken Token, double Expires, double? NotBefore, long KeyGeneration);
