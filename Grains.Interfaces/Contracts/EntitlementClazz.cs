namespace Entitlements.Contracts;

/// <summary>AccelByte's entitlement class (<c>clazz</c>).</summary>
[GenerateSerializer, Alias("Entitlements.EntitlementClazz")]
public enum EntitlementClazz
{
    App = 0,
    Code = 1,
    Entitlement = 2,
    Lootbox = 3,
    Media = 4,
    Optionbox = 5,
    Subscription = 6,
}
