namespace Entitlements.Notifications;

/// <summary>The headers of a webhook request; the signature covers all the others (<see cref="Covered"/>) and the JSON body.</summary>
public static class WebhookHeaders
{
    /// <summary><c>t=&lt;unix seconds&gt;,v2=&lt;hex HMAC-SHA256&gt;</c>: see <see cref="WebhookSignature"/>.</summary>
    public const string Signature = "X-Entitlements-Signature";

    /// <summary>The ledger event that produced the notification.</summary>
    public const string EventId = "X-Entitlements-Event-Id";

    /// <summary><c>entitlementUpdated</c> or <c>revocationCompleted</c>.</summary>
    public const string Notification = "X-Entitlements-Notification";

    /// <summary>The player's UUID.</summary>
    public const string Player = "X-Entitlements-Player";

    /// <summary>The player's ledger version the event was written at.</summary>
    public const string Version = "X-Entitlements-Version";

    /// <summary>The notification's feed cursor (opaque).</summary>
    public const string Cursor = "X-Entitlements-Cursor";

    /// <summary>A fresh id for every attempt.</summary>
    public const string Delivery = "X-Entitlements-Delivery";

    /// <summary>The attempt number, from 1.</summary>
    public const string Attempt = "X-Entitlements-Attempt";

    /// <summary>
    /// The headers the signature covers, in the order of the signed message: every <c>X-Entitlements-*</c>
    /// header but the signature itself.
    /// </summary>
    public static IReadOnlyList<string> Covered { get; } = [EventId, Notification, Player, Version, Cursor, Delivery, Attempt];

    /// <summary>The wire name of a notification kind.</summary>
    public static string NotificationName(NotificationKind kind) =>
        kind == NotificationKind.RevocationCompleted ? "revocationCompleted" : "entitlementUpdated";
}
