namespace Entitlements.XboxLiveSimulator;

/// <summary>
/// The collections requests of one user admitted so far (its credential valid, the faults before it passed): a test
/// awaits them (<c>GET /admin/users/{xuid}/arrivals</c>) to know that a call has reached Xbox.
/// </summary>
public sealed record SimulatedArrivals
{
    public int Queries { get; init; }

    public int Consumes { get; init; }
}
