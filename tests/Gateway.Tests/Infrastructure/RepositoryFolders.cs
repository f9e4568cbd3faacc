namespace Entitlements.Tests.Infrastructure;

/// <summary>The repository root (the folder of <c>Orleans.sln</c>) above the test binaries, and the shared folder beside it.</summary>
internal static class RepositoryFolders
{
    public static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new DirectoryNotFoundException($"No Orleans.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary><c>../shared</c>: the seeds and the peers' specifications, never committed to the repository.</summary>
    public static string Shared => Path.Combine(Path.GetDirectoryName(Root)!, "shared");
}
