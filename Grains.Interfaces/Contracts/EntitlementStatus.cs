namespace Entitlements.Contracts;

/// <summary>AccelByte's entitlement status.</summary>
[GenerateSerializer, Alias("Entitlements.EntitlementStatus")]
public enum EntitlementStatus
{
    Active = 0,
    Inactive = 1,
    Consumed = 2,
    Revoked = 3,
    Sold = 4,
}
