using Orleans.Runtime;

namespace Entitlements.Notifications;

/// <summary>
/// Where notifications are published: the stream provider, one stream per player for each kind
/// (keyed by the player UUID) and one stream of every player's notifications of both kinds. Subscribe
/// with an Orleans client that adds the same provider (<c>AddMemoryStreams(ProviderName)</c>).
/// </summary>
public static class NotificationStreams
{
    public const string ProviderName = "Notifications";

    /// <summary>Per player, keyed by the player UUID: <c>entitlementUpdated</c> notifications.</summary>
    public const string EntitlementUpdatedNamespace = "entitlementUpdated";

    /// <summary>Per player, keyed by the player UUID: <c>revocationCompleted</c> events.</summary>
    public const string RevocationCompletedNamespace = "revocationCompleted";

    /// <summary>Every player's notifications of both kinds, one stream keyed by <see cref="Guid.Empty"/>.</summary>
    public const string AllPlayersNamespace = "allPlayers";

    public static StreamId ForPlayer(NotificationKind kind, Guid playerUuid) => StreamId.Create(
        kind == NotificationKind.EntitlementUpdated ? EntitlementUpdatedNamespace : RevocationCompletedNamespace,
        playerUuid);

    public static StreamId AllPlayers { get; } = StreamId.Create(AllPlayersNamespace, Guid.Empty);
}
