namespace Entitlements.Notifications;

/// <summary>The two notifications the ledger produces.</summary>
[GenerateSerializer, Alias("Entitlements.Notifications.NotificationKind")]
public enum NotificationKind
{
    /// <summary>AccelByte's <c>entitlementUpdated</c>: a player's entitlements changed.</summary>
    EntitlementUpdated = 0,

    /// <summary>AccelByte's <c>revocationCompleted</c>: a player's refund or chargeback, whether it took something back or not.</summary>
    RevocationCompleted = 1,
}
