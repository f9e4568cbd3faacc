using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace Entitlements.Gateway.Diagnostics;

/// <summary>
/// Ready when the Orleans cluster answers and counts at least one active silo. Asked through the grain
/// factory, so it holds for both hosts: the embedded gateway's own silo (not active before it has
/// joined, nor while it shuts down) and a cluster-mode gateway's client (not connected to a gateway silo).
/// </summary>
public sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, cancellationToken).WaitAsync(Timeout, cancellationToken);
            var active = hosts.Count(h => h.Value == SiloStatus.Active);
            var data = new Dictionary<string, object> { ["activeSilos"] = active };
            return active > 0
                ? HealthCheckResult.Healthy($"{active} active silo(s).", data)
                : HealthCheckResult.Unhealthy("No active silo.", data: data);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The Orleans cluster does not answer.", exception);
        }
    }
}
