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
}
