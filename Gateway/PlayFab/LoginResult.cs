namespace Entitlements.Gateway.PlayFab;

/// <summary>PlayFab's <c>LoginResult</c>: the fields this system has.</summary>
public sealed record LoginResult
{
    public required string SessionTicket { get; init; }
    public required string PlayFabId { get; init; }
    public required bool NewlyCreated { get; init; }
    public required UserSettings SettingsForUser { get; init; }

    /// <summary>Always sent: PlayFab's SDKs read it after every login without a null check.</summary>
    public required EntityTokenResponse EntityToken { get; init; }

    /// <summary>Sent when the request has <c>InfoRequestParameters</c>; <c>LastLoginTime</c> is never sent: logins are not recorded.</summary>
    public GetPlayerCombinedInfoResultPayload? InfoResultPayload { get; init; }
}
