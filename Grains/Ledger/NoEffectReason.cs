namespace Entitlements.Ledger;

/// <summary>Why an entitlement event was recorded with no effect.</summary>
public enum NoEffectReason
{
    /// <summary>The caller gave a status other than <c>success</c>: recorded as given, not applied.</summary>
    StatusGiven = 0,

    /// <summary>The (platform, sku) is not in the catalog (<c>sku_not_found</c>).</summary>
    SkuNotFound = 1,

    /// <summary>The platform user belongs to no player (<c>player_not_found</c>).</summary>
    PlayerNotFound = 2,

    /// <summary>
    /// A refund, chargeback or reversal of a SKU whose policy is <c>not_revocable</c> (<c>not_implemented</c>);
    /// not a reversal of a chargeback that was applied, which settles it whatever the policy is now.
    /// </summary>
    NotRevocable = 3,

    /// <summary>A refund or chargeback before any grant of its transaction.</summary>
    NoGrant = 4,

    /// <summary>A refund, chargeback or grant of a transaction whose money was already returned.</summary>
    AlreadyRevoked = 5,

    /// <summary>A refund or chargeback whose grant gave nothing (a <c>durable_single_use</c> item granted before).</summary>
    GrantGaveNothing = 6,

    /// <summary>A grant of a <c>durable_single_use</c> item the player was granted before.</summary>
    AlreadyGranted = 7,

    /// <summary>A chargeback reversal with no chargeback that took something.</summary>
    NothingToRestore = 8,

    /// <summary>A chargeback whose transaction's chargeback reversal was recorded first: the dispute is settled.</summary>
    AlreadyReversed = 9,
}
