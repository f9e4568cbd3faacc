namespace Entitlements.Tests.Docker;

/// <summary>One build stage: its base image, its name and its instructions.</summary>
internal sealed record DockerStage(string Image, string? Name)
{
    public List<DockerInstruction> Instructions { get; } = [];

    public IEnumerable<string> Arguments(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);
}
