namespace Entitlements.Gateway.PlayFab;

/// <summary>PlayFab's <c>LoginResult</c>: the fields this system has.</summary>
public sealed record LoginResult
{
    public required string SessionTicket { get; init; }
    public required string PlayFabId { get; init; }
    public required bool NewlyCreated { get; init; }
    public required UserSettings SettingsForUser { get; init; }
}
