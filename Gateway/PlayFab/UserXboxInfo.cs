namespace Entitlements.Gateway.PlayFab;

/// <summary>PlayFab's <c>UserXboxInfo</c>: the XUID and sandbox of the XboxToken the player logged in with (no sandbox when the token has none).</summary>
public sealed record UserXboxInfo(string XboxUserId, string? XboxUserSandbox);
