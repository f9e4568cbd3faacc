namespace Entitlements.Gateway.Auth;

public static class PermissionEndpointExtensions
{
    /// <summary>Declare the permission a route needs; the authentication layer enforces what is declared here.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission, bool selfAllowed = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PermissionRequirement(permission, selfAllowed));
}
