namespace Entitlements.Contracts;

[GenerateSerializer, Alias("Entitlements.XboxConsumeOutcome")]
public enum XboxConsumeOutcome
{
    /// <summary>Every balance that could be consumed was consumed and granted.</summary>
    Completed = 0,
    UnknownPlayer = 1,

    /// <summary>The collections service throttled us (HTTP 429) beyond the retry budget.</summary>
    TooManyRequests = 2,

    /// <summary>The collections service failed (5xx), timed out or could not be reached.</summary>
    Inaccessible = 3,

    /// <summary>The collections service rejected the delegated XSTS token (HTTP 401).</summary>
    TokenRejected = 4,

    /// <summary>The collections service refused the title access (HTTP 403).</summary>
    AccessDenied = 5,

    /// <summary>No collections service is configured.</summary>
    NotConfigured = 6,

    /// <summary>
    /// The call's time budget (<c>Xbox:ConsumeBudgetMilliseconds</c>) ran out: what was granted so far is
    /// the answer, a success; the balances left are consumed by the next call.
    /// </summary>
    DeadlineReached = 7,

    /// <summary>
    /// A failure that is not Xbox's (the database, a bug) stopped the call after it granted something:
    /// what was granted is the answer (an error would hide it for ever); the failure is logged, and the
    /// balances left are consumed by the next call. A call that granted nothing throws instead.
    /// </summary>
    Interrupted = 8,

    /// <summary>
    /// The call granted nothing, and a grant of what Xbox consumed would have taken a balance past 64 bits:
    /// it was recorded as not applied (<c>not_implemented</c>), so no later call sends that consume again.
    /// </summary>
    BalanceLimitReached = 9,
}
