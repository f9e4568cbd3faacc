using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Entitlements;

/// <summary>
/// Lets the Orleans runtime's own failures cross the wire. Orleans serializes an exception only when its
/// namespace starts with one of <see cref="ExceptionSerializationOptions.SupportedNamespacePrefixes"/>
/// (<c>System</c>, <c>Microsoft</c>, <c>Azure</c>), but its grain placement retries through Polly, and a
/// placement that times out while silos die fails with a <see cref="TimeoutException"/> whose inner
/// exception is Polly's <c>TimeoutRejectedException</c>. Without this the silo cannot send that answer:
/// the caller gets a <c>CodecNotFoundException</c> instead of the timeout, which a gateway could not
/// tell from a mistake in the program (a 500 where the cluster in flux is a 503 to retry). Silos and
/// clients both register it: the sender to write the exception, the receiver to read it.
/// </summary>
public static class RuntimeExceptionSerialization
{
    /// <summary>The namespace of the exceptions Orleans' placement may send besides its own.</summary>
    public const string PollyNamespacePrefix = "Polly";

    public static IServiceCollection AddRuntimeExceptionSerialization(this IServiceCollection services) =>
        services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add(PollyNamespacePrefix));
}
