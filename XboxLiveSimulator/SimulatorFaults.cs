namespace Entitlements.XboxLiveSimulator;

/// <summary>Switches for the collections endpoints (admin <c>PUT /admin/faults</c>).</summary>
public sealed record SimulatorFaults
{
    /// <summary>Answer 429 with <c>Retry-After: 1</c>.</summary>
    public bool Throttle { get; init; }

    /// <summary>Answer 503.</summary>
    public bool Outage { get; init; }

    /// <summary>Wait this long before answering.</summary>
    public int DelayMilliseconds { get; init; }

    /// <summary>Serve this many collections requests before <see cref="FailNextRequests"/> starts failing.</summary>
    public int FailAfterRequests { get; init; }

    /// <summary>Answer 503 to this many collections requests, then serve normally again.</summary>
    public int FailNextRequests { get; init; }

    /// <summary>Answer this status (401 or 403) as if the credential were refused.</summary>
    public int? RejectCredentials { get; init; }

    /// <summary>Wait this long before answering a consume (queries answer at once).</summary>
    public int ConsumeDelayMilliseconds { get; init; }

    /// <summary>
    /// Refuse every consume with this status (a 429 with <c>Retry-After: 1</c>), consuming nothing; queries are
    /// served as usual. The request still counts as received (<see cref="SimulatedUser.ConsumeTrackingIds"/>).
    /// </summary>
    public int? RefuseConsumesWith { get; init; }

    /// <summary>Consume as asked, but answer the success with this body instead of the consume's JSON.</summary>
    public string? ConsumeAnswerBody { get; init; }

    /// <summary>
    /// Hold every query, once admitted (counted in the user's arrivals, <c>GET /admin/users/{xuid}/arrivals</c>), until
    /// the faults are set again without this; then the held queries are answered as usual.
    /// </summary>
    public bool HoldQueries { get; init; }

    /// <summary>Answer every query's success with this body instead of the page (to send items or shapes the state cannot hold).</summary>
    public string? QueryAnswerBody { get; init; }
}
