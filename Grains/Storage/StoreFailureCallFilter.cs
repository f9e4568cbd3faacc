using System.Data.Common;
using Entitlements.Contracts;
using Microsoft.Extensions.Logging;

namespace Entitlements.Storage;

/// <summary>
/// Turns a database exception that escapes a grain call into a <see cref="StoreUnavailableException"/>:
/// the driver's exception types cannot be serialized by Orleans, so a caller in another process (the
/// gateway in cluster mode, an Orleans client, a grain on another silo) would get a codec error
/// instead of a failure it can answer 503. Only the message travels; the original is logged here.
/// </summary>
internal sealed partial class StoreFailureCallFilter(ILogger<StoreFailureCallFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (DbException exception)
        {
            LogStoreFailed(logger, exception, context.InterfaceName, context.MethodName);
            throw Unavailable(exception);
        }
    }

    /// <summary>What a caller in another process can be sent in place of <paramref name="exception"/>.</summary>
    public static StoreUnavailableException Unavailable(DbException exception) =>
        new($"The ledger store failed: {exception.Message}") { IsTransient = exception.IsTransient };

    /// <summary>
    /// Runs a grain's activation work with the same conversion: this filter sees calls, not activations, and a
    /// failed activation fails the calls waiting for it with the activation's own exception.
    /// </summary>
    public static async Task ActivatingAsync(Func<Task> activate)
    {
        try
        {
            await activate().ConfigureAwait(true);
        }
        catch (DbException exception)
        {
            throw Unavailable(exception);
        }
    }
}
