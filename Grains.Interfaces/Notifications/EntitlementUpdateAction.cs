namespace Entitlements.Notifications;

/// <summary>The <c>action</c> values of AccelByte's <c>entitlementUpdated</c>, as they are spelled on the wire.</summary>
public static class EntitlementUpdateAction
{
    public const string Grant = "grant";
    public const string Sell = "sell";
    public const string Split = "split";
    public const string Delete = "delete";
    public const string Update = "update";
    public const string Transfer = "transfer";
    public const string Consume = "consume";
    public const string Revoke = "revoke";
    public const string Disable = "disable";
    public const string Enable = "enable";
}
