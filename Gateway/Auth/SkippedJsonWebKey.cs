namespace Entitlements.Gateway.Auth;

/// <summary>
/// A key of a JWKS document that <see cref="JsonWebKeys.Parse"/> passed over: its place in the <c>keys</c>
/// array (from 0), its <c>kid</c> when it has one that can be read, and why, in words that never quote key material.
/// </summary>
public sealed record SkippedJsonWebKey(int Index, string? KeyId, string Reason);
