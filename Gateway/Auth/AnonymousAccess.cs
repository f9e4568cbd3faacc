namespace Entitlements.Gateway.Auth;

/// <summary>Endpoint metadata: the route needs no credentials (public keys, health probes).</summary>
public sealed class AnonymousAccess
{
    public static readonly AnonymousAccess Instance = new();
}
