using Entitlements.Contracts;

namespace Entitlements;

/// <summary>
/// Issues and checks PlayFab session tickets, signed with a key kept in the database so that every
/// node accepts every node's tickets. A stateless worker: call it with key 0.
/// </summary>
[Alias("Entitlements.ISessionTicketGrain")]
public interface ISessionTicketGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// A ticket <see cref="ReadAsync"/> accepts until <see cref="SessionTicketClaims.Expires"/> (whole seconds).
    /// Claims no ticket could carry are an <see cref="ArgumentException"/> naming the claim: a PlayFab id that is
    /// not <see cref="PlayFabIds.From"/> of the player UUID (the ticket is read back with that one), an XUID
    /// missing, empty, over 710 bytes of UTF-8 or not valid UTF-16, or an expiry not in the future.
    /// </summary>
    [Alias("Issue")]
    Task<string> IssueAsync(SessionTicketClaims claims);

    /// <summary>The claims of a genuine ticket that has not expired; null otherwise.</summary>
    [Alias("Read")]
    Task<SessionTicketClaims?> ReadAsync(string ticket);

    /// <summary>
    /// <see cref="ReadAsync"/>'s claims while the ticket's XUID is still linked to the ticket's player; null
    /// otherwise. A ticket names the player its XUID was linked to at login: once the link has moved to another
    /// player (or is gone), the ticket is no longer the XUID's, and acting for the XUID with it would put the
    /// XUID's balances in the old player's ledger, beside the new player's.
    /// </summary>
    [Alias("ReadLinked")]
    Task<SessionTicketClaims?> ReadLinkedAsync(string ticket);
}
