using Orleans.Concurrency;

namespace Entitlements;

/// <summary>
/// Publishes the ledger's notifications to the streams, in ledger order, from a position kept in the
/// database: a change committed before a crash is published after it. One per cluster: use key 0.
/// </summary>
[Alias("Entitlements.INotificationRelayGrain")]
public interface INotificationRelayGrain : IGrainWithIntegerKey
{
    /// <summary>New ledger events were committed: publish them now rather than at the next poll.</summary>
    [Alias("Wake"), OneWay, AlwaysInterleave]
    Task WakeAsync();

    /// <summary>The feed position published so far. Answered at once, also while the relay is publishing.</summary>
    [Alias("GetPosition"), AlwaysInterleave]
    Task<long> GetPositionAsync();
}
