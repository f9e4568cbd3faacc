using System.Data.Common;
using Entitlements.Contracts;

namespace Entitlements.Gateway.Hosting;

/// <summary>
/// Whether a request failed because the cluster or its database is unreachable, too slow, or restarting,
/// rather than because of the request: such a failure is answered 503 with <c>Retry-After</c> in the
/// surface's own error shape, and the client sends the same request again.
/// </summary>
public static class Unavailability
{
    /// <summary>The <c>Retry-After</c> value, in seconds: a database restart takes seconds, not minutes.</summary>
    public const string RetryAfterSeconds = "1";

    public static bool IsUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is StoreUnavailableException or TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or DbException)
            {
                return true;
            }
        }

        return false;
    }
}
