namespace Entitlements.Gateway.Auth;

/// <summary>A verified access token: who it is for and what it may do.</summary>
public sealed record AccessToken(string? Subject, IReadOnlyList<string> Permissions)
{
    /// <summary>The token's <c>exp</c>, without the clock skew; <see cref="DateTimeOffset.MaxValue"/> when it is beyond the calendar.</summary>
    public DateTimeOffset Expires { get; init; } = DateTimeOffset.MaxValue;

    /// <summary>The subject as a player UUID, when it is one.</summary>
    public Guid? Player => Guid.TryParse(Subject, out var player) ? player : null;

    /// <summary>True when one of the token's permissions is <paramref name="required"/> or a wildcard over it (<c>inv:*</c>).</summary>
    public bool Has(string required)
    {
        ArgumentNullException.ThrowIfNull(required);
        foreach (var permission in Permissions)
        {
            if (permission == required
                || (permission.EndsWith('*') && required.StartsWith(permission[..^1], StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
