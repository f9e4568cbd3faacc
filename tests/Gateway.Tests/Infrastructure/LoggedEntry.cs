using Microsoft.Extensions.Logging;

namespace Entitlements.Tests.Infrastructure;

/// <summary>One log entry: its level, category, formatted message, the exception attached to it, and its named values.</summary>
public sealed record LoggedEntry(LogLevel Level, string Category, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> Values)
{
    public override string ToString() => $"{Level} {Category}: {Message} {Exception}";
}
