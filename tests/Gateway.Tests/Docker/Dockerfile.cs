namespace Entitlements.Tests.Docker;

/// <summary>
/// A Dockerfile read into its build stages and instructions (comments dropped, continued lines joined):
/// enough to check what it builds and how it runs without a Docker engine.
/// </summary>
internal sealed class Dockerfile
{
    private Dockerfile(IReadOnlyList<DockerStage> stages) => Stages = stages;

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage Final => Stages[^1];

    public static Dockerfile Read(string path)
    {
        var stages = new List<DockerStage>();
        var logical = string.Empty;
        foreach (var line in File.ReadAllLines(path))
        {
            var trimmed = line.Trim();
            if (logical.Length == 0 && (trimmed.Length == 0 || trimmed.StartsWith('#')))
            {
                continue;
            }

            if (trimmed.EndsWith('\\'))
            {
                logical += trimmed[..^1] + " ";
                continue;
            }

            Add(stages, (logical + trimmed).Trim());
            logical = string.Empty;
        }

        if (logical.Length > 0)
        {
            Add(stages, logical.Trim());
        }

        return new Dockerfile(stages);
    }

    private static void Add(List<DockerStage> stages, string instruction)
    {
        var space = instruction.IndexOf(' ', StringComparison.Ordinal);
        var keyword = (space < 0 ? instruction : instruction[..space]).ToUpperInvariant();
        var arguments = space < 0 ? string.Empty : instruction[(space + 1)..].Trim();
        if (keyword == "FROM")
        {
            var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            stages.Add(new DockerStage(words[0], words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null));
            return;
        }

        if (stages.Count == 0)
        {
            throw new InvalidDataException($"{keyword} before the first FROM");
        }

        stages[^1].Instructions.Add(new DockerInstruction(keyword, arguments));
    }
}
