namespace Entitlements.Contracts;

[GenerateSerializer, Alias("Entitlements.EntitlementActionType")]
public enum EntitlementActionType
{
    Grant = 0,
    Refund = 1,
    Chargeback = 2,
    ChargebackReversal = 3,
}
