namespace Entitlements.Contracts;

[GenerateSerializer, Alias("Entitlements.EntitlementType")]
public enum EntitlementType
{
    /// <summary>A stacked use count: grants add to it, consumption takes from it.</summary>
    Consumable = 0,

    /// <summary>Owned or not: granting again keeps one entitlement active.</summary>
    Durable = 1,

    /// <summary>Granted at most once per player, ever; later grants are recorded with no effect.</summary>
    DurableSingleUse = 2,
}
