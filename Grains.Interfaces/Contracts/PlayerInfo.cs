namespace Entitlements.Contracts;

[GenerateSerializer, Immutable, Alias("Entitlements.PlayerInfo")]
public sealed record PlayerInfo(
    [property: Id(0)] Guid PlayerUuid,
    [property: Id(1)] long PlayerId,
    [property: Id(2)] DateTimeOffset Created)
{
    /// <summary>
    /// The least player id the event listing's <c>player_id</c> takes: RallyHere's deprecated integer, which its
    /// generated Unreal SDK and NSwag's C# read as a 32-bit <c>int</c>.
    /// </summary>
    public const long MinPlayerId = int.MinValue;

    /// <summary>The most player id issued or taken, for the reason given at <see cref="MinPlayerId"/>.</summary>
    public const long MaxPlayerId = int.MaxValue;

    /// <summary>
    /// Refuse a newly drawn player id past <see cref="MaxPlayerId"/>, in the transaction that drew it, so that the
    /// player is not created (an <see cref="InvalidOperationException"/>): every answer naming the player carries it.
    /// </summary>
    public static void ThrowIfNotIssuable(long playerId)
    {
        if (playerId > MaxPlayerId)
        {
            throw new InvalidOperationException(
                $"Player ids are used up: the next is {playerId}, past {MaxPlayerId}, the most RallyHere's clients read. No player was created.");
        }
    }
}
