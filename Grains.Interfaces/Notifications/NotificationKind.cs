namespace Entitlements.Notifications;

/// <summary>The two notifications the ledger produces.</summary>
[GenerateSerializer, Alias("Entitlements.Notifications.NotificationKind")]
public enum NotificationKind
{
    /// <summary>AccelByte's <c>entitlementUpdated</c>: a player's entitlements changed.</summary>
    EntitlementUpdated = 0,

    /// <summary>AccelByte's <c>revocationCompleted</c>: a refund or chargeback took something back.</summary>
    RevocationCompleted = 1,
}
