using System.Security.Cryptography;

namespace Entitlements;

/// <summary>
/// A player's PlayFab id: 16 upper-case hex digits, as PlayFab writes its own, derived from the player
/// UUID (the first 8 bytes of its SHA-256), so it is stable and needs no storage.
/// </summary>
public static class PlayFabIds
{
    public static string From(Guid playerUuid) => Convert.ToHexString(SHA256.HashData(playerUuid.ToByteArray()).AsSpan(0, 8));
}
