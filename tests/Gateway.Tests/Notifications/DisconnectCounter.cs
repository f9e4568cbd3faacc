using System.Diagnostics.Metrics;
using Entitlements.Gateway.Notifications;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Notifications;

/// <summary>Listens to one gateway's <c>entitlements.push.disconnects</c> counter: how many connections it dropped for a reason.</summary>
internal sealed class DisconnectCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _reason;
    private long _count;

    public DisconnectCounter(GatewayFixture fixture, string reason)
    {
        _reason = reason;
        var meters = fixture.App.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == PushMetrics.MeterName && instrument.Name == PushMetrics.DisconnectsName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "reason" && (string?)tag.Value == _reason)
                {
                    Interlocked.Add(ref _count, value);
                }
            }
        });
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
