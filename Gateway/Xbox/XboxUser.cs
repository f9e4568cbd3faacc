namespace Entitlements.Gateway.Xbox;

/// <summary>The user a valid XSTS token names.</summary>
public sealed record XboxUser(string Xuid, string UserHash, string? Gamertag, string? Sandbox);
