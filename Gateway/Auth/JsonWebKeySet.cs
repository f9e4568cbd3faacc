namespace Entitlements.Gateway.Auth;

/// <summary>What <see cref="JsonWebKeys.Parse"/> read from a JWKS document: the keys it can use and those it passed over, each in document order.</summary>
public sealed record JsonWebKeySet(IReadOnlyList<SigningKey> Keys, IReadOnlyList<SkippedJsonWebKey> Skipped);
