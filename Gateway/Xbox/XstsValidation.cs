using Entitlements.Gateway.PlayFab;

namespace Entitlements.Gateway.Xbox;

/// <summary>The user of a valid token, or the PlayFab error that refuses it.</summary>
public sealed record XstsValidation(XboxUser? User, PlayFabError? Error, string? Message)
{
    public static XstsValidation Refuse(PlayFabError error, string message) => new(null, error, message);
}
