namespace Entitlements.Contracts;

/// <summary>
/// The nil UUID (<c>00000000-0000-0000-0000-000000000000</c>) is no player's: a player named by a client must have
/// another. A nil-UUID player's listing cursors could not be told from the ones everybody's listing issued before
/// 2026-12-06, so the routes that link or address a player by a client's UUID refuse it, and so do the grains
/// behind them for an Orleans client.
/// </summary>
public static class PlayerUuids
{
    /// <summary>Refuse the nil UUID with an <see cref="ArgumentException"/> naming <paramref name="name"/>.</summary>
    public static void ThrowIfNil(Guid? playerUuid, string name)
    {
        if (playerUuid == Guid.Empty)
        {
            throw new ArgumentException($"{name} is the nil UUID, which is no player's.", name);
        }
    }
}
