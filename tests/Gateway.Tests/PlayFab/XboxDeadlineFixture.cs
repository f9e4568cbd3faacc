namespace Entitlements.Tests.PlayFab;

/// <summary>
/// The simulator and a gateway whose consume calls have a 3 s budget, with attempts long enough (10 s) to
/// outlast a slow answer, and a cluster response timeout (3 s) shorter than a slowed consume call: only the
/// consume call's own response timeout keeps such a call from answering 503.
/// </summary>
public sealed class XboxDeadlineFixture : XboxGatewayFixture
{
    public const int BudgetMilliseconds = 3_000;

    /// <summary>The simulator's delay before every answer: a query and a consume outlast the budget.</summary>
    public const int DelayMilliseconds = 2_000;

    protected override void ConfigureXbox(IDictionary<string, string?> settings)
    {
        settings["Xbox:ConsumeBudgetMilliseconds"] = BudgetMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Xbox:TimeoutMilliseconds"] = "10000";
        settings["Orleans:Messaging:ResponseTimeout"] = "00:00:03";
    }
}
