using Entitlements.Contracts;

namespace Entitlements;

/// <summary>
/// Issues and checks PlayFab session tickets, signed with a key kept in the database so that every
/// node accepts every node's tickets. A stateless worker: call it with key 0.
/// </summary>
[Alias("Entitlements.ISessionTicketGrain")]
public interface ISessionTicketGrain : IGrainWithIntegerKey
{
    [Alias("Issue")]
    Task<string> IssueAsync(SessionTicketClaims claims);

    /// <summary>The claims of a genuine ticket that has not expired; null otherwise.</summary>
    [Alias("Read")]
    Task<SessionTicketClaims?> ReadAsync(string ticket);
}
