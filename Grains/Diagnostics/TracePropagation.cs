using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Entitlements.Diagnostics;

/// <summary>
/// Carries the caller's trace into grain calls: Orleans' grain call filters (<c>AddActivityPropagation</c>) open a
/// client span around each call and a server span around the grain's turn, on the activity sources
/// <see cref="TelemetryExtensions.OrleansActivitySources"/>, and pass the W3C <c>traceparent</c> in the request
/// context. Orleans creates those spans only for a listener, so <see cref="TraceContextListener"/> asks for them
/// (propagation only: ids, no recorded data) whenever the call has a parent; with OTLP export on, the tracer
/// provider records and exports them as well.
/// </summary>
public static class TracePropagation
{
    public static ISiloBuilder AddTracePropagation(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddActivityPropagation();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TraceContextListener>());
        return builder;
    }

    public static IClientBuilder AddTracePropagation(this IClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddActivityPropagation();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TraceContextListener>());
        return builder;
    }
}
