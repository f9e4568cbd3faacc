using Entitlements.Gateway.Notifications;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Notifications;

/// <summary>Listens to one gateway's <c>entitlements.push.disconnects</c> counter: how many connections it dropped for a reason.</summary>
internal sealed class DisconnectCounter(GatewayFixture fixture, string reason) : IDisposable
{
    private readonly GatewayCounters _counters = new(fixture, PushMetrics.MeterName, PushMetrics.DisconnectsName);

    public long Count => _counters.Sum(PushMetrics.DisconnectsName, "reason", reason);

    public void Dispose() => _counters.Dispose();
}
