namespace Entitlements.Contracts;

[GenerateSerializer, Alias("Entitlements.CatalogWriteOutcome")]
public enum CatalogWriteOutcome
{
    /// <summary>The entry was created or replaced.</summary>
    Written = 0,

    /// <summary>The precondition did not hold; nothing was written.</summary>
    PreconditionFailed = 1,

    /// <summary>Another entry maps the same item id to another entitlement type; nothing was written.</summary>
    ItemTypeConflict = 2,

    /// <summary>Another XboxLive entry has the same platform product id; nothing was written.</summary>
    ProductIdConflict = 3,
}
