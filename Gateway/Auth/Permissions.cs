namespace Entitlements.Gateway.Auth;

/// <summary>
/// Every permission a route can require, in one place. RallyHere's names where RallyHere has the route;
/// ours, in the same style, where it does not. A token's permission ending in <c>*</c> (<c>inv:*</c>) covers
/// every permission with that prefix.
/// </summary>
public static class Permissions
{
    public const string EntitlementEventWrite = "inv:entitlement_event:write";
    public const string EntitlementEventRead = "inv:entitlement_event:read";
    public const string CatalogRead = "inv:catalog:read";
    public const string CatalogWrite = "inv:catalog:write";
    public const string EntitlementsRead = "inv:entitlements:read";
    public const string EntitlementsWrite = "inv:entitlements:write";

    /// <summary>One player's pushed notifications (a player's own token may read its own).</summary>
    public const string NotificationsRead = "inv:notifications:read";

    /// <summary>Every player's pushed notifications: for game services, never for players.</summary>
    public const string NotificationsAll = "inv:notifications:all";
    public const string PlatformUserRead = "user:platform:read";
    public const string PlatformUserCreate = "user:platform:create";

    /// <summary>The Orleans dashboard (<c>/dashboard</c>).</summary>
    public const string Dashboard = "ops:dashboard";

    /// <summary>The Prometheus scraping endpoint (<c>/metrics</c>), unless it is configured open.</summary>
    public const string Metrics = "ops:metrics";

    /// <summary>List webhooks and their dead letters, and replay them.</summary>
    public const string WebhooksAdmin = "ops:webhooks";

    /// <summary>Take a backup of the embedded SQLite database.</summary>
    public const string Backups = "ops:backups";
}
