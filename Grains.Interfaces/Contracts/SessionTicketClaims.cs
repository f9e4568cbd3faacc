namespace Entitlements.Contracts;

/// <summary>What a PlayFab session ticket vouches for.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.SessionTicketClaims")]
public sealed record SessionTicketClaims
{
    [Id(0)] public required Guid PlayerUuid { get; init; }

    /// <summary>The player's PlayFab id: 16 upper-case hex digits derived from the player UUID.</summary>
    [Id(1)] public required string PlayFabId { get; init; }
    [Id(2)] public required string Xuid { get; init; }

    /// <summary>
    /// The most UTF-8 bytes of <see cref="Xuid"/> a ticket holds within its 1,024 characters: a payload of 735 bytes
    /// is 980 characters of base64url, and the signature with its dot another 44.
    /// </summary>
    public const int MaxXuidBytes = 710;
    [Id(3)] public required DateTimeOffset Expires { get; init; }
}
