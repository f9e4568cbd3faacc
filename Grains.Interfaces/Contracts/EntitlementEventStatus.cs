namespace Entitlements.Contracts;

[GenerateSerializer, Alias("Entitlements.EntitlementEventStatus")]
public enum EntitlementEventStatus
{
    Success = 0,
    SkuNotFound = 1,
    NotImplemented = 2,
    PlayerNotFound = 3,
    BanFailed = 4,
}
