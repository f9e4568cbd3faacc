using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Entitlements.Gateway.Diagnostics;

/// <summary>
/// The report of the readiness checks, shared by every caller of <c>/health/ready</c>: a request that comes
/// while the checks run waits for that run, and a finished report answers for <see cref="ReuseFor"/> more. The
/// database and the cluster are so asked about once a second at most, whatever the callers' rate (the route is
/// open to everyone). The run belongs to no request: a caller that hangs up does not cancel it for the others;
/// the checks bound themselves (3 s and 5 s).
/// </summary>
public sealed class ReadinessReport(HealthCheckService health, TimeProvider time)
{
    /// <summary>The tag of the checks that readiness runs.</summary>
    public const string Tag = "ready";

    /// <summary>How long a finished report answers before the next request runs the checks again.</summary>
    public static readonly TimeSpan ReuseFor = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private Task<(HealthReport Report, long FinishedAt)>? _latest;

    public async Task<HealthReport> GetAsync(CancellationToken cancellationToken)
    {
        Task<(HealthReport Report, long FinishedAt)> run;
        lock (_lock)
        {
            if (_latest is null || _latest.IsFaulted || _latest.IsCanceled
                || (_latest.IsCompletedSuccessfully && time.GetElapsedTime(_latest.Result.FinishedAt) >= ReuseFor))
            {
                _latest = Task.Run(RunAsync, CancellationToken.None);
            }

            run = _latest;
        }

        return (await run.WaitAsync(cancellationToken)).Report;
    }

    private async Task<(HealthReport Report, long FinishedAt)> RunAsync()
    {
        var report = await health.CheckHealthAsync(registration => registration.Tags.Contains(Tag), CancellationToken.None);
        return (report, time.GetTimestamp());
    }
}
