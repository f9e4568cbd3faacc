namespace Entitlements.Tests.PlayFab;

/// <summary>
/// The simulator and a gateway whose consume calls have a 2 s budget, with attempts long enough (15 s) to
/// outlast a slow consume, and the shortest cluster response timeout these allow (34 s, twice the 17 s a
/// consume call can take at the most).
/// </summary>
public sealed class XboxDeadlineFixture : XboxGatewayFixture
{
    public const int BudgetMilliseconds = 2_000;

    /// <summary>
    /// The simulator's delay before answering a consume (queries answer at once): the first consume starts
    /// well within the budget and answers well after it, however slow the machine.
    /// </summary>
    public const int ConsumeDelayMilliseconds = 5_000;

    protected override void ConfigureXbox(IDictionary<string, string?> settings)
    {
        settings["Xbox:ConsumeBudgetMilliseconds"] = BudgetMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Xbox:TimeoutMilliseconds"] = "15000";
        settings["Orleans:Messaging:ResponseTimeout"] = "00:00:34";
    }
}
