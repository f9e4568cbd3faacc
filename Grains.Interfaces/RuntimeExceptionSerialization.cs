using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Entitlements;

/// <summary>
/// Lets the Orleans runtime's own failures cross the wire. Orleans serializes an exception only when its
/// namespace starts with one of <see cref="ExceptionSerializationOptions.SupportedNamespacePrefixes"/>
/// (<c>System</c>, <c>Microsoft</c>, <c>Azure</c>), and two others come inside the runtime's failures
/// while silos die: its grain placement retries through Polly, so a placement that times out fails with
/// a <see cref="TimeoutException"/> around Polly's <c>TimeoutRejectedException</c>; and its own grains
/// kept in PostgreSQL (the stream rendezvous in <c>PubSubStore</c>) fail to activate with an
/// <see cref="OrleansException"/> around an <c>NpgsqlException</c>. Without this the silo cannot send
/// that answer: the caller gets a <c>CodecNotFoundException</c> instead of the failure, which a gateway
/// could not tell from a mistake in the program (a 500 where the cluster in flux is a 503 to retry).
/// Silos and clients both register it: the sender to write the exception, the receiver to read it.
/// </summary>
public static class RuntimeExceptionSerialization
{
    /// <summary>The namespaces of the exceptions the runtime may send besides its own: Polly's and Npgsql's.</summary>
    public static readonly IReadOnlyList<string> NamespacePrefixes = ["Polly", "Npgsql"];

    public static IServiceCollection AddRuntimeExceptionSerialization(this IServiceCollection services) =>
        services.Configure<ExceptionSerializationOptions>(o =>
        {
            foreach (var prefix in NamespacePrefixes)
            {
                o.SupportedNamespacePrefixes.Add(prefix);
            }
        });
}
