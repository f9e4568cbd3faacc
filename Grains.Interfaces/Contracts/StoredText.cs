using System.Runtime.CompilerServices;

namespace Entitlements.Contracts;

/// <summary>
/// Text the ledger stores may hold any character but NUL (U+0000), which PostgreSQL's text type cannot
/// hold. The gateway answers a NUL with its surface's validation error before any grain call; a grain
/// refuses one from an Orleans client with an <see cref="ArgumentException"/>, on either engine, before
/// it reads or writes anything.
/// </summary>
public static class StoredText
{
    public static void ThrowIfNul(string? value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (value is not null && value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{name} holds a NUL character (U+0000), which the ledger does not store.", name);
        }
    }
}
