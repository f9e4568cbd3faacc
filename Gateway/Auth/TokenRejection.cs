namespace Entitlements.Gateway.Auth;

/// <summary>Why a request was refused: RallyHere's code and a description that never quotes the token.</summary>
public sealed record TokenRejection(string ErrorCode, string Description);
