using System.Text.Json;

namespace Entitlements.Tests.Docker;

internal sealed record DockerInstruction(string Keyword, string Arguments)
{
    /// <summary>The words of the instruction: its JSON (exec) form, or its arguments split on spaces.</summary>
    public IReadOnlyList<string> Words =>
        Arguments.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(Arguments)! : Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
