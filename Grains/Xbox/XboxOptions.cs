namespace Entitlements.Xbox;

/// <summary>How the silo reaches the Xbox Live collections service (configuration section <c>Xbox</c>).</summary>
public sealed class XboxOptions
{
    public const string SectionName = "Xbox";

    /// <summary>The collections service's base URL; Xbox consume answers "not configured" without it.</summary>
    public Uri? CollectionsUrl { get; set; }

    /// <summary>The time one HTTP attempt may take (with the budget's default, see <see cref="ConsumeBudgetMilliseconds"/>).</summary>
    public int TimeoutMilliseconds { get; set; } = 3_000;

    /// <summary>Attempts of an idempotent call (a query page, a consume with its tracking id) before giving up.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The longest wait between attempts, also the cap on a <c>Retry-After</c>.</summary>
    public int MaxRetryDelayMilliseconds { get; set; } = 2_000;

    /// <summary>
    /// The time one <c>ConsumeXboxEntitlements</c> call may spend on Xbox: once it is spent, the call starts
    /// no further collections call (nor another attempt of one) and answers what it granted so far; the
    /// next call consumes the rest. An attempt already sent still runs to <see cref="TimeoutMilliseconds"/>,
    /// so a call ends at most one attempt's time after its budget; that sum is held to half the call's own
    /// response timeout and to half the cluster's, which the player's other calls have when they wait for a
    /// running consume while its grain is being deactivated (see <see cref="XboxOptionsValidator"/>). The
    /// defaults (6 s and 3 s attempts) end a call within 9 s: PlayFab's XPlatCpp SDK, the one titles use on
    /// Xbox, gives up on a request after 10 s, and an answer it gave up on is lost with the items it granted
    /// (the retry answers only newer ones).
    /// </summary>
    public int ConsumeBudgetMilliseconds { get; set; } = 6_000;

    /// <summary>Items per query page (<c>maxPageSize</c>).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>
    /// Test-only fault, off by default: <c>KillProcess</c> kills the hosting process right after a consume
    /// call succeeded and before its grant is written, as a crash would. Refused at start unless the
    /// host's environment is <see cref="XboxOptionsValidator.TestingEnvironment"/>.
    /// </summary>
    public XboxTestFault TestFaultAfterConsume { get; set; } = XboxTestFault.None;
}
