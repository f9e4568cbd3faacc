namespace Entitlements.Contracts;

/// <summary>What a refund or chargeback does to a consumable that was already partly used.</summary>
[GenerateSerializer, Alias("Entitlements.RevocationPolicy")]
public enum RevocationPolicy
{
    /// <summary>Revoke what is left and report the shortfall.</summary>
    RevokeOrReport = 0,

    /// <summary>Revoke everything the grant gave, carrying a negative balance that the next grant pays first.</summary>
    AllowNegative = 1,

    /// <summary>The SKU cannot be refunded or charged back: such events are recorded as <c>not_implemented</c>.</summary>
    NotRevocable = 2,
}
