namespace Entitlements.Contracts;

[GenerateSerializer, Alias("Entitlements.EntitlementEventOutcome")]
public enum EntitlementEventOutcome
{
    /// <summary>The event was new and is now durable.</summary>
    Recorded = 0,

    /// <summary>The same event was submitted before; the original is returned unchanged.</summary>
    Replayed = 1,

    /// <summary>The idempotency key was used before with a different payload.</summary>
    Conflict = 2,

    /// <summary>An explicit player UUID names no player.</summary>
    UnknownPlayer = 3,

    /// <summary>
    /// Only from <see cref="IPlayerGrain"/>, for a refund, chargeback or reversal whose transaction's grant is
    /// recorded for another player: nothing was recorded, and <see cref="IEntitlementEventsGrain"/> routes it
    /// again, to that player. <see cref="EntitlementEventResult.Event"/> is that grant.
    /// </summary>
    GrantHeldByAnotherPlayer = 4,
}
