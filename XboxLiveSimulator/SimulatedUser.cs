namespace Entitlements.XboxLiveSimulator;

/// <summary>A test user: identity, collection, and the consumes done per tracking id.</summary>
public sealed record SimulatedUser
{
    public string Xuid { get; init; } = string.Empty;

    /// <summary>The user hash (<c>uhs</c>), the <c>x=</c> value of the user's credential.</summary>
    public string UserHash { get; init; } = string.Empty;
    public string Gamertag { get; init; } = string.Empty;
    public IReadOnlyList<SimulatedItem> Items { get; init; } = [];

    /// <summary>Every consume done, by tracking id (admin view; ignored when seeding).</summary>
    public IReadOnlyDictionary<string, SimulatedConsume> Consumes { get; init; } = new Dictionary<string, SimulatedConsume>();

    /// <summary>How many consume requests the user's credential made, repeats included.</summary>
    public int ConsumeRequests { get; init; }

    /// <summary>
    /// The tracking id of every consume request the user's credential made, in the order received: repeats and
    /// refused ones included (admin view; ignored when seeding).
    /// </summary>
    public IReadOnlyList<string> ConsumeTrackingIds { get; init; } = [];
}
