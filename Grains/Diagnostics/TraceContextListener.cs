using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Entitlements.Diagnostics;

/// <summary>
/// Listens to Orleans' activity sources while the host runs, so that a grain call made inside a trace (a gateway
/// request, or a grain turn that belongs to one) gets its spans and the grain's turn runs with
/// <see cref="Activity.Current"/> in the caller's trace: its log lines carry the trace id, and so does a
/// <c>revocationCompleted</c> notification. It asks for propagation only (no tags kept, nothing exported), and
/// nothing for a call outside any trace (timers, the relay, start-up), which stays as cheap as without filters.
/// </summary>
internal sealed class TraceContextListener : IHostedService, IDisposable
{
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => TelemetryExtensions.OrleansActivitySources.Contains(source.Name),
        Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
            options.Parent.TraceId == default ? ActivitySamplingResult.None : ActivitySamplingResult.PropagationData,
        SampleUsingParentId = (ref ActivityCreationOptions<string> options) =>
            string.IsNullOrEmpty(options.Parent) ? ActivitySamplingResult.None : ActivitySamplingResult.PropagationData,
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _listener.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _listener.Dispose();
}
