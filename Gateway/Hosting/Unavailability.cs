using System.Data.Common;
using Entitlements.Contracts;
using Entitlements.Gateway.Auth;

namespace Entitlements.Gateway.Hosting;

/// <summary>
/// Whether a request failed because the cluster or its database is unreachable, too slow, or restarting,
/// or because the token issuer's keys have never been loaded (<see cref="SigningKeysUnavailableException"/>),
/// rather than because of the request: such a failure is answered 503 with <c>Retry-After</c> in the
/// surface's own error shape, and the client sends the same request again.
/// </summary>
public static class Unavailability
{
    /// <summary>The <c>Retry-After</c> value, in seconds: a database restart takes seconds, not minutes.</summary>
    public const string RetryAfterSeconds = "1";

    /// <summary><see cref="RetryAfterSeconds"/> as a number, for bodies that carry the wait (PlayFab's <c>retryAfterSeconds</c>).</summary>
    public const long RetryAfterSecondsNumber = 1;

    /// <summary>
    /// Whether <paramref name="exception"/> is such a failure. A cancellation counts when the client did not
    /// go away (<paramref name="requestAborted"/> not cancelled): it is then the cluster's, as when a silo gives
    /// up registering a grain's activation in a grain directory that is changing and sends back the
    /// <see cref="TaskCanceledException"/> it met.
    /// </summary>
    public static bool IsUnavailable(Exception exception, CancellationToken requestAborted)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is StoreUnavailableException or SigningKeysUnavailableException or TimeoutException or DbException
                || (current is OperationCanceledException && !requestAborted.IsCancellationRequested)
                || IsClusterInFlux(current))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The Orleans runtime's own failures: a silo that died or is leaving, a connection refused, a
    /// gateway too busy, a grain directory that is not stable while membership changes (a plain
    /// <see cref="OrleansException"/> that a silo sends back as the rejection of a call it could not
    /// address). All of them pass once the cluster has settled. The exceptions kept out are mistakes in
    /// the program, which a retry does not cure.
    /// </summary>
    private static bool IsClusterInFlux(Exception exception) =>
        exception is OrleansException
        and not GrainExtensionNotInstalledException
        and not GrainReferenceNotBoundException
        and not Orleans.Storage.BadProviderConfigException;
}
