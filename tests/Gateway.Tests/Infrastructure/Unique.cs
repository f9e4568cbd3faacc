namespace Entitlements.Tests.Infrastructure;

/// <summary>Fresh names, so that tests sharing one gateway never touch each other's players, SKUs or transactions.</summary>
internal static class Unique
{
    public static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
