using Entitlements.Contracts;
using Orleans.Concurrency;

namespace Entitlements;

/// <summary>
/// One player's entitlement ledger, keyed by the player UUID. The only writer of that player's
/// entitlements: every change to a player is serialized. Orleans runs the calls one at a time, except
/// the Xbox consume, which interleaves with them while it waits on Xbox; the grain keeps its ledger
/// work one section at a time all the same.
/// </summary>
[Alias("Entitlements.IPlayerGrain")]
public interface IPlayerGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Apply (or replay) an entitlement event that resolved to this player. A refund, chargeback or reversal
    /// whose transaction's grant is recorded for another player is not recorded here, whatever player it names:
    /// the answer is <see cref="EntitlementEventOutcome.GrantHeldByAnotherPlayer"/> (route such events
    /// through <see cref="IEntitlementEventsGrain"/>, which follows the grant).
    /// </summary>
    [Alias("SubmitEntitlementEvent")]
    Task<EntitlementEventResult> SubmitEntitlementEventAsync(SubmitEntitlementEvent command);

    /// <summary>The player's current entitlements; null when no such player exists.</summary>
    [Alias("GetEntitlements")]
    Task<PlayerEntitlements?> GetEntitlementsAsync();

    /// <summary>The player's id and creation time; null when no such player exists.</summary>
    [Alias("GetInfo")]
    Task<PlayerInfo?> GetInfoAsync();

    /// <summary>Use part of a consumable balance, idempotent per operation id.</summary>
    [Alias("Consume")]
    Task<ConsumeResult> ConsumeAsync(ConsumeEntitlement command);

    /// <summary>
    /// The response timeout of <see cref="ConsumeXboxEntitlementsAsync"/>, its own rather than the
    /// cluster's (<c>Orleans:Messaging:ResponseTimeout</c>, tuned for fail-over): the call makes many HTTP
    /// calls to Xbox within its budget (<c>Xbox:ConsumeBudgetMilliseconds</c>, checked against this at
    /// start), may wait for another consume of the player to end first, and a timeout would answer 503
    /// while the grain goes on granting.
    /// </summary>
    public const string XboxConsumeResponseTimeout = "00:01:00";

    /// <summary>
    /// Consume the player's Xbox Live consumable balances and grant what the catalog maps them to,
    /// exactly once; durables are granted once per Xbox item. Returns only what this call granted.
    /// Interleaves with the player's other calls, so that they do not wait for Xbox; two of these calls
    /// for one player still run one after the other.
    /// </summary>
    [Alias("ConsumeXboxEntitlements")]
    [AlwaysInterleave]
    [ResponseTimeout(XboxConsumeResponseTimeout)]
    Task<XboxConsumeResult> ConsumeXboxEntitlementsAsync(ConsumeXboxEntitlements command);
}
