using System.Text.Json.Serialization;
using Entitlements.Contracts;

namespace Entitlements.Gateway.RallyHere;

/// <summary>
/// RallyHere's <c>PlatformUserResponse</c>. This system has one player per person, so
/// <c>person_id</c> is the player UUID and the active player is the linked player.
/// </summary>
public sealed record PlatformUserResponse
{
    [JsonPropertyName("platform")] public required string Platform { get; init; }
    [JsonPropertyName("platform_user_id")] public required string PlatformUserId { get; init; }
    /// <summary>Left out when the link has none (an Xbox login without a gamertag): RallyHere's schema has a string or nothing, never null.</summary>
    [JsonPropertyName("display_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? DisplayName { get; init; }
    [JsonPropertyName("player_id")] public required long PlayerId { get; init; }
    [JsonPropertyName("player_uuid")] public required Guid PlayerUuid { get; init; }
    [JsonPropertyName("person_id")] public required Guid PersonId { get; init; }
    [JsonPropertyName("active_player_id")] public required long ActivePlayerId { get; init; }
    [JsonPropertyName("active_player_uuid")] public required Guid ActivePlayerUuid { get; init; }

    public static PlatformUserResponse From(PlatformUserLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        return new PlatformUserResponse
        {
            Platform = WireNames<Platform>.Of(link.Platform),
            PlatformUserId = link.PlatformUserId,
            DisplayName = link.DisplayName,
            PlayerId = link.PlayerId,
            PlayerUuid = link.PlayerUuid,
            PersonId = link.PlayerUuid,
            ActivePlayerId = link.PlayerId,
            ActivePlayerUuid = link.PlayerUuid,
        };
    }
}
