namespace Entitlements.Notifications;

/// <summary>AccelByte's revocation strategies, as our revocation policies map onto them.</summary>
public static class RevocationStrategy
{
    /// <summary>Revoke what is there and report the rest as skipped (our <c>revoke_or_report</c>).</summary>
    public const string RevokeOrReport = "REVOKE_OR_REPORT";

    /// <summary>Revoke everything, the balance may go negative (our <c>allow_negative</c>).</summary>
    public const string AlwaysRevoke = "ALWAYS_REVOKE";

    /// <summary>Anything else: our <c>not_revocable</c>, whose refunds and chargebacks fail (<c>not_implemented</c>).</summary>
    public const string Custom = "CUSTOM";
}
