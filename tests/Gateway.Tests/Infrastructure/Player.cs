namespace Entitlements.Tests.Infrastructure;

/// <summary>A player created through <c>PUT /users/v1/platform-user</c>, with the Steam user linked to it.</summary>
public sealed record Player(Guid Uuid, long Id, string PlatformUserId);
