namespace Entitlements.Contracts;

/// <summary>
/// The ledger's database failed a call: unreachable, restarting, timed out, or refusing the statement.
/// Grains throw it in place of the database driver's exception, which Orleans cannot carry from a silo
/// to a client or another silo. The outcome of a write that failed this way is unknown: it may have
/// been committed. Callers answer 503 and the client retries the same request.
/// </summary>
[GenerateSerializer, Alias("Entitlements.StoreUnavailableException")]
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether the driver called the failure transient (a connection failure, a timeout, a server starting up).</summary>
    [Id(0)]
    public bool IsTransient { get; init; }
}
